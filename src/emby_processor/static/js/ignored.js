/* "Ignored files": the files a person ignored (they are never queued), newest first, each with
 * Un-ignore, which acts at once: the watcher looks at the file again and queues it as a new item. */
import { api, change, describeError } from "./api.js";
import { $, basename, el, fmtBytes, fmtNumber, plural, timeNode } from "./dom.js";
import { cause } from "./meta.js";
import { isOpen, showModal, whenNoModal } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { toast } from "./toast.js";

const DIALOG = "ignored-modal";
const PAGE = 50;
const view = { page: 1, total: 0, shown: 0 };

function details(file, known) {
  const parts = [file.movie_code, known ? known.title : null,
    typeof file.file_size === "number" ? fmtBytes(file.file_size) : null,
    file.present ? null : "no longer there"].filter(Boolean);
  return [parts.join(" · "), parts.length ? " · " : "", "ignored ", timeNode(file.ignored_at)];
}

function entry(file) {
  const known = cause(file.cause);
  const button = el("button", {
    className: "btn btn-sm btn-outline-primary", text: "Un-ignore",
    attrs: { type: "button", "aria-label": `Un-ignore ${basename(file.file_path)}` }, data: { unignore: file.id },
  });
  return el("li", { className: "list-group-item d-flex flex-wrap align-items-center gap-2", data: { ignored: file.id } },
    el("div", { className: "me-auto ignored-file" },
      el("div", { className: "fw-semibold text-break", text: basename(file.file_path) }),
      el("div", { className: "path small text-body-secondary", text: file.file_path }),
      el("div", { className: "small text-body-secondary" }, ...details(file, known))),
    button);
}

function summary() {
  $("ignored-summary").textContent = view.total ? `${plural(view.total, "file")} ignored` : "";
  $("ignored-more").classList.toggle("d-none", view.shown >= view.total);
}

async function load(page) {
  const data = await api(`/api/ignored?page=${page}&limit=${PAGE}`);
  view.page = page;
  view.total = data.total;
  const body = $("ignored-body");
  if (page === 1) {
    view.shown = 0;
    body.replaceChildren(data.total ? el("ul", { className: "list-group list-group-flush", attrs: { id: "ignored-list" } })
      : el("p", { className: "text-body-secondary mb-0", attrs: { id: "ignored-empty" }, text: "No file is ignored. Ignore this file, on an item, puts one here." }));
  }
  const list = $("ignored-list");
  if (list) list.append(...data.items.map(entry));
  view.shown += data.items.length;
  summary();
}

export async function openIgnored() {
  await whenNoModal();
  $("ignored-body").replaceChildren(el("p", { className: "text-body-secondary", text: "Loading…" }));
  showModal(DIALOG);
  try {
    await load(1);
  } catch (error) {
    $("ignored-body").replaceChildren(el("div", { className: "alert alert-danger", attrs: { role: "alert" }, text: `Could not load the ignored files: ${describeError(error)}` }));
  }
}

async function unignore(button) {
  const id = Number(button.dataset.unignore);
  const row = button.closest("li");
  button.disabled = true;
  try {
    const file = await change(`/api/ignored/${id}`, { method: "DELETE" });
    toast(`${basename(file.file_path)} is no longer ignored: the watcher picks it up again within seconds.`);
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    view.total -= 1;
    view.shown -= 1;
    summary();
    if (!view.total) await load(1);
    // the focus stays in the dialog, on the next file's button
    const target = next && next.isConnected ? next.querySelector("button") : null;
    if (isOpen(DIALOG)) (target || $(DIALOG)).focus();
  } catch (error) {
    button.disabled = false;
    toast(`Un-ignore failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
}

export function wireIgnored() {
  for (const id of ["act-ignored", "inbox-ignored"]) $(id).addEventListener("click", openIgnored);
  $("ignored-body").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-unignore]");
    if (button) unignore(button);
  });
  $("ignored-more").addEventListener("click", () => load(view.page + 1).catch((error) => toast(describeError(error), "danger")));
}

/** The count shown on the buttons that open the list (from /api/stats). */
export function showIgnoredCount(count) {
  const text = count ? `Ignored files (${fmtNumber(count)})` : "Ignored files";
  for (const id of ["act-ignored", "inbox-ignored"]) $(id).textContent = text;
}
