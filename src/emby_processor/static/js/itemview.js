/* An item drawn for people, in the detail dialog: what went wrong in a sentence with what to do
 * (the raw text folded under "Technical details"), the movie as a card (poster, title, actresses,
 * date, maker, each field's source, a link into the media server), the summary, the files,
 * warnings, the raw metadata folded, and the timeline newest first. */
import { basename, el, fmtBytes, fmtRelative, timeNode } from "./dom.js";
import {
  attemptText, cause, errorKindLabel, fieldLabel, filterLabel, stageLabel, statusBadge, troubleOf,
} from "./meta.js";
import { toast } from "./toast.js";

export const itemTitle = (item) => `Item #${item.id} · ${item.movie_code || basename(item.file_path)}`;

function kvList(pairs, className = "kv") {
  const dl = el("dl", { className });
  for (const [label, value] of pairs) {
    if (value === undefined) continue;
    dl.append(el("dt", { text: label }), el("dd", {}, value === null || value === "" ? el("span", { className: "text-body-secondary", text: "—" }) : value));
  }
  return dl;
}

export function section(title, ...children) {
  return el("section", { className: "mb-3" }, el("h3", { className: "h6 border-bottom pb-1", text: title }), ...children);
}

/** What went wrong in a sentence, what to do, and the technical words folded away. */
export function errorView(item) {
  if (item.status !== "error" || !(item.error_message || item.cause)) return null;
  const known = cause(item.cause);
  const trouble = troubleOf(item);
  const technical = [
    item.error_kind ? `${item.error_kind} error (${errorKindLabel(item.error_kind)})` : "error",
    item.stage ? `at stage “${item.stage}”` : null,
    item.cause ? `cause “${item.cause}”` : null,
  ].filter(Boolean).join(", ");
  return el("div", { className: `alert ${trouble === "retrying" ? "alert-warning" : "alert-danger"} detail-error`, attrs: { id: "detail-error" } },
    el("div", { className: "d-flex flex-wrap align-items-center gap-2" },
      el("span", { className: `badge badge-${trouble}`, text: filterLabel(trouble) }),
      el("span", { className: "fw-semibold", attrs: { id: "detail-cause" }, text: item.message || (known ? known.title : `Error at ${stageLabel(item.stage)}`) })),
    item.hint ? el("div", { className: "mt-1", attrs: { id: "detail-hint" } }, el("span", { className: "fw-semibold", text: "What to do: " }), item.hint) : null,
    trouble === "retrying" ? el("div", { className: "small mt-1", text: `Retries by itself: ${attemptText(item)}.` }) : null,
    el("details", { className: "small mt-2 detail-tech" },
      el("summary", { text: "Technical details" }),
      el("div", { className: "mt-1", text: technical }),
      item.error_message ? el("div", { className: "text-break font-monospace", text: item.error_message }) : null));
}

const FIELDS = [
  ["title", "Title"], ["original_title", "Original title"], ["actresses", "Actresses"], ["release_date", "Released"],
  ["maker", "Maker"], ["label", "Label"], ["series", "Series"], ["directors", "Director"], ["genres", "Genres"],
  ["runtime_minutes", "Runtime"],
];

function fieldValue(name, value) {
  if (value === null || value === undefined || (Array.isArray(value) && !value.length) || value === "") return null;
  if (name === "actresses") return value.map((p) => (typeof p === "string" ? p : p.name)).filter(Boolean).join(", ");
  if (name === "runtime_minutes") return `${value} min`;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** The movie as a card: poster, the fields people read, where each came from, and the link. */
export function movieView(item) {
  const meta = item.metadata;
  if (!meta) return null;
  const provenance = meta.provenance || {};
  const dl = el("dl", { className: "kv mb-2", attrs: { id: "detail-fields" } });
  for (const [name, label] of FIELDS) {
    const value = fieldValue(name, meta[name]);
    if (value === null) continue;
    const source = provenance[name] || (name === "title" ? meta.source : null);
    dl.append(el("dt", { text: label }), el("dd", {}, value,
      source ? el("span", { className: "badge rounded-pill text-bg-light border ms-2 source", text: source, attrs: { title: `from ${source}` } }) : null));
  }
  const poster = item.poster_url ? el("img", {
    className: "detail-poster rounded border", attrs: {
      src: item.poster_url, alt: `Poster of ${item.movie_code || "this movie"}`, loading: "lazy", width: 150,
    },
  }) : null;
  if (poster) poster.addEventListener("error", () => poster.remove(), { once: true });
  const link = item.server_link ? el("a", {
    className: "btn btn-sm btn-outline-primary", text: "Open in the media server",
    attrs: { href: item.server_link, target: "_blank", rel: "noopener noreferrer", id: "detail-server-link" },
  }) : null;
  return el("section", { className: "card mb-3 detail-movie" },
    el("div", { className: "card-body d-flex flex-wrap gap-3" },
      poster,
      el("div", { className: "flex-grow-1 detail-movie-text" },
        el("h3", { className: "h5", text: [item.movie_code, meta.title].filter(Boolean).join(" · ") }),
        dl, link)));
}

export function summaryView(item) {
  const nextAttempt = item.next_attempt_at
    ? el("span", {}, timeNode(item.next_attempt_at), ` (${fmtRelative(item.next_attempt_at)})`)
    : null;
  const code = [item.movie_code, item.part ? `part ${item.part}` : null, item.subtitles ? "subtitles" : null,
    item.uncensored ? "uncensored" : null, item.code_rule === "manual" ? "set by hand" : null].filter(Boolean).join(" · ");
  const settled = item.status === "completed" || item.status === "processing";
  return section("Summary", kvList([
    [fieldLabel("status"), el("span", {}, statusBadge(item), ` at ${stageLabel(item.stage)}`)],
    [fieldLabel("movie_code"), code || null],
    [fieldLabel("title"), item.metadata ? undefined : item.title || null],
    ["Actresses", item.metadata ? undefined : (item.actresses && item.actresses.length ? item.actresses.join(", ") : item.actress) || null],
    [fieldLabel("emby_id"), item.emby_id || null],
    [fieldLabel("retry_count"), String(item.retry_count)],
    [fieldLabel("next_attempt_at"), settled ? undefined
      : item.status === "error" && !item.next_attempt_at ? "waits for a person" : nextAttempt],
    [fieldLabel("created_at"), timeNode(item.created_at)],
    [fieldLabel("updated_at"), timeNode(item.updated_at)],
    ["Completed", item.completed_at ? timeNode(item.completed_at) : null],
  ]));
}

export function filesView(item) {
  const pathNode = (path) => (path ? el("span", { className: "path", text: path }) : null);
  return section("Files", kvList([
    ["Source file", pathNode(item.file_path)],
    ["File size", typeof item.file_size === "number" ? fmtBytes(item.file_size) : undefined],
    ["Library path", pathNode(item.library_path)],
    ["Path on the server", pathNode(item.server_path)],
    ["Pending move", item.organize_intent ? pathNode(item.organize_intent) : undefined],
  ]));
}

export function warningsView(item) {
  if (!item.warnings || !item.warnings.length) return null;
  return section("Warnings", el("ul", { className: "mb-0" }, ...item.warnings.map((w) => el("li", { text: w }))));
}

/** The metadata as fetched, folded: a tree and the raw JSON (with a copy button). */
export function metadataView(metadata) {
  if (metadata === null || metadata === undefined) {
    return el("p", { className: "text-body-secondary mb-0", text: "No metadata fetched yet." });
  }
  const pretty = JSON.stringify(metadata, null, 2);
  const tree = el("div", { className: "json-tree", attrs: { id: "detail-metadata" } }, jsonNode(null, metadata, 0));
  const raw = el("details", { className: "mt-2" },
    el("summary", { className: "small", text: "Raw JSON" }),
    // it scrolls by itself: focusable, so a keyboard can scroll it too
    el("pre", { className: "json-raw mt-1 mb-0", text: pretty, attrs: { id: "detail-metadata-raw", tabindex: 0 } }));
  const copy = el("button", { className: "btn btn-sm btn-outline-secondary mb-2", text: "Copy JSON", attrs: { type: "button" } });
  copy.addEventListener("click", () => {
    navigator.clipboard.writeText(pretty).then(() => toast("Metadata JSON copied"), () => toast("Copy failed: select the raw JSON instead", "warning"));
  });
  return el("details", { className: "detail-raw", attrs: { id: "detail-metadata-box" } },
    el("summary", { text: "All metadata, as fetched" }), el("div", { className: "mt-2" }, copy, tree, raw));
}

/** A collapsible JSON tree: objects and arrays are <details>, leaves are coloured text. */
function jsonNode(key, value, depth) {
  const keyNode = key === null ? null : el("span", { className: "json-key", text: `${JSON.stringify(key)}: ` });
  if (value !== null && typeof value === "object") {
    const isArray = Array.isArray(value);
    const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
    const open = depth < 1 || entries.length <= 8;
    const summary = el("summary", {}, keyNode,
      el("span", { className: "text-body-secondary", text: isArray ? `[ ${entries.length} item${entries.length === 1 ? "" : "s"} ]` : `{ ${entries.length} key${entries.length === 1 ? "" : "s"} }` }));
    const box = el("details", { attrs: { open: open ? "" : null } }, summary);
    for (const [k, v] of entries) box.append(jsonNode(isArray ? null : k, v, depth + 1));
    return box;
  }
  const kind = value === null ? "null" : typeof value;
  return el("div", { className: "leaf" }, keyNode, el("span", { className: `json-${kind}`, text: JSON.stringify(value) }));
}

function eventTone(outcome) {
  if (/error|fail|permanent|transient/i.test(outcome)) return "ev-error";
  if (/retry|wait|recover|defer|skip/i.test(outcome)) return "ev-warn";
  if (/ok|done|success|complete|found|verified|queued|moved|written|set|decided/i.test(outcome)) return "ev-ok";
  return "";
}

/** 340 ms, 2.5 s, 1 min 5 s */
export function fmtDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The timeline, newest first. */
export function timelineView(events) {
  if (!events.length) return el("p", { className: "text-body-secondary mb-0", text: "No events yet." });
  const list = el("ol", { className: "timeline", attrs: { id: "detail-events", reversed: "" } });
  for (const event of [...events].reverse()) {
    const outcome = String(event.outcome || "");
    const li = el("li", { className: eventTone(outcome) },
      el("div", { className: "d-flex flex-wrap gap-2 align-items-baseline" },
        el("span", { className: "small text-body-secondary" }, timeNode(event.at)),
        el("span", { className: "badge text-bg-secondary", text: stageLabel(event.stage) }),
        el("span", { className: "fw-semibold", text: outcome }),
        typeof event.duration_ms === "number" ? el("span", { className: "small text-body-secondary", text: fmtDuration(event.duration_ms) }) : null),
      el("div", { className: "text-break", text: event.message || "" }));
    if (event.payload && Object.keys(event.payload).length) {
      li.append(el("details", { className: "ev-payload" }, el("summary", { text: "details" }),
        el("pre", { className: "mb-0", text: JSON.stringify(event.payload, null, 1) })));
    }
    list.append(li);
  }
  return list;
}
