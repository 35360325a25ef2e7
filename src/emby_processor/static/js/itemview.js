/* An item drawn for people, in the detail dialog: the error in words (cause, what to do, the raw
 * text), a summary, the files, warnings, the metadata as a foldable tree and the timeline. */
import { basename, el, fmtBytes, fmtRelative, timeNode } from "./dom.js";
import { cause, errorKindLabel, fieldLabel, stageLabel, statusBadge } from "./meta.js";
import { toast } from "./toast.js";

const KIND_BADGE = { transient: "text-bg-warning", permanent: "text-bg-danger" };

export const itemTitle = (item) => `Item #${item.id} · ${item.movie_code || basename(item.file_path)}`;

function kvList(pairs) {
  const dl = el("dl", { className: "kv" });
  for (const [label, value] of pairs) {
    if (value === undefined) continue;
    dl.append(el("dt", { text: label }), el("dd", {}, value === null || value === "" ? el("span", { className: "text-body-secondary", text: "—" }) : value));
  }
  return dl;
}

export function section(title, ...children) {
  return el("section", { className: "mb-3" }, el("h3", { className: "h6 border-bottom pb-1", text: title }), ...children);
}

/** The cause as a sentence with what to do, then the technical words and the raw error text. */
export function errorView(item) {
  if (item.status !== "error" || !(item.error_message || item.cause)) return null;
  const known = cause(item.cause);
  const technical = [
    item.error_kind ? `${item.error_kind} error` : "error",
    item.stage ? `at stage “${item.stage}”` : null,
    item.cause ? `cause “${item.cause}”` : null,
  ].filter(Boolean).join(", ");
  return el("div", { className: "alert alert-danger", attrs: { role: "alert", id: "detail-error" } },
    el("div", { className: "d-flex flex-wrap align-items-center gap-2" },
      item.error_kind ? el("span", { className: `badge ${KIND_BADGE[item.error_kind] || "text-bg-secondary"}`, text: errorKindLabel(item.error_kind) }) : null,
      el("span", { className: "fw-semibold", attrs: { id: "detail-cause" }, text: known ? known.title : `Error at ${stageLabel(item.stage)}` })),
    known ? el("div", { className: "mt-1", attrs: { id: "detail-hint" }, text: known.hint }) : null,
    el("div", { className: "small mt-2 detail-tech" }, el("span", { className: "fw-semibold", text: "Technical details: " }), technical),
    item.error_message ? el("div", { className: "small text-break font-monospace", text: item.error_message }) : null);
}

export function summaryView(item) {
  const nextAttempt = item.next_attempt_at
    ? el("span", {}, timeNode(item.next_attempt_at), ` (${fmtRelative(item.next_attempt_at)})`)
    : null;
  const code = [item.movie_code, item.part ? `part ${item.part}` : null, item.subtitles ? "subtitles" : null,
    item.uncensored ? "uncensored" : null].filter(Boolean).join(" · ");
  const settled = item.status === "completed" || item.status === "processing";
  return section("Summary", kvList([
    [fieldLabel("status"), el("span", {}, statusBadge(item.status), ` at ${stageLabel(item.stage)}`)],
    [fieldLabel("movie_code"), code || null],
    [fieldLabel("title"), item.title || null],
    ["Actresses", (item.actresses && item.actresses.length ? item.actresses.join(", ") : item.actress) || null],
    [fieldLabel("emby_id"), item.emby_id || null],
    [fieldLabel("retry_count"), String(item.retry_count)],
    [fieldLabel("next_attempt_at"), settled ? undefined
      : item.status === "error" && !item.next_attempt_at ? "waits for a person (Retry)" : nextAttempt],
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
  return el("div", {}, copy, tree, raw);
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
  if (/ok|done|success|complete|found|verified|queued|moved|written/i.test(outcome)) return "ev-ok";
  return "";
}

export function timelineView(events) {
  if (!events.length) return el("p", { className: "text-body-secondary mb-0", text: "No events yet." });
  const list = el("ol", { className: "timeline", attrs: { id: "detail-events" } });
  for (const event of events) {
    const outcome = String(event.outcome || "");
    const li = el("li", { className: eventTone(outcome) },
      el("div", { className: "d-flex flex-wrap gap-2 align-items-baseline" },
        el("span", { className: "small text-body-secondary" }, timeNode(event.at)),
        el("span", { className: "badge text-bg-secondary", text: stageLabel(event.stage) }),
        el("span", { className: "fw-semibold", text: outcome }),
        typeof event.duration_ms === "number" ? el("span", { className: "small text-body-secondary", text: `${Math.round(event.duration_ms)} ms` }) : null),
      el("div", { className: "text-break", text: event.message || "" }));
    if (event.payload && Object.keys(event.payload).length) {
      li.append(el("pre", { className: "ev-payload", text: JSON.stringify(event.payload, null, 1) }));
    }
    list.append(li);
  }
  return list;
}
