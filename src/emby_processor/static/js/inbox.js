/* "Needs you": the items no retry will fix, grouped by cause at the top of the page ("5 files have
 * no code", "2 duplicates"), each group with what to do and its newest items with their buttons;
 * a group's "Show all" filters the queue to it. Empty: "Nothing needs you". */
import { api } from "./api.js";
import { actionButtons, detailsButton } from "./buttons.js";
import { $, basename, el, fmtNumber, plural } from "./dom.js";
import { onBackgroundError } from "./poll.js";
import { INBOX_PER_GROUP } from "./settings.js";

let lastKey = "";
const shown = new Map(); // id -> item, for the buttons
let links = { onAction: () => {}, onShowGroup: () => {}, onRetryGroup: () => {}, onCount: () => {} };

export function invalidateInbox() {
  lastKey = "";
}

export async function loadInbox() {
  const data = await api(`/api/inbox?per_group=${INBOX_PER_GROUP}`);
  const key = JSON.stringify(data);
  if (key === lastKey) return;
  lastKey = key;
  render(data);
}

export function reloadInbox() {
  invalidateInbox();
  loadInbox().catch(onBackgroundError);
}

function itemRow(item) {
  shown.set(item.id, item);
  const name = item.movie_code || basename(item.file_path);
  return el("li", { className: "inbox-item", data: { id: item.id } },
    el("div", { className: "inbox-what" },
      el("span", { className: "fw-semibold me-2", text: name }),
      item.movie_code ? el("span", { className: "small text-body-secondary me-2 text-break", text: basename(item.file_path) }) : null,
      el("div", { className: "small", text: item.message || "" })),
    el("div", { className: "inbox-buttons" }, ...actionButtons(item, { limit: 2 }), detailsButton(item)));
}

function group(entry) {
  const buttons = [];
  if (entry.actions.includes("retry")) {
    buttons.push(el("button", {
      className: "btn btn-sm btn-outline-primary", text: entry.count === 1 ? "Retry it" : `Retry these ${fmtNumber(entry.count)}`,
      attrs: { type: "button" }, data: { retryGroup: entry.cause },
    }));
  }
  if (entry.count > entry.items.length) {
    buttons.push(el("button", {
      className: "btn btn-sm btn-link", text: `Show all ${fmtNumber(entry.count)}`,
      attrs: { type: "button" }, data: { showGroup: entry.cause },
    }));
  }
  const headingId = `inbox-${entry.cause}`;
  return el("li", { className: `inbox-group inbox-${entry.kind}`, data: { cause: entry.cause }, attrs: { "aria-labelledby": headingId } },
    el("div", { className: "d-flex flex-wrap align-items-center gap-2" },
      el("h3", { className: "h6 mb-0 me-auto", attrs: { id: headingId }, text: entry.heading }), ...buttons),
    el("p", { className: "small text-body-secondary mb-2", text: entry.hint }),
    el("ul", { className: "list-unstyled mb-0 inbox-items" }, ...entry.items.map(itemRow)));
}

function render(data) {
  shown.clear();
  if (links.onCount) links.onCount(data.total);
  const count = $("inbox-count");
  count.textContent = fmtNumber(data.total);
  count.classList.toggle("d-none", !data.total);
  $("inbox-card").classList.toggle("inbox-clear", !data.total);
  $("inbox-summary").textContent = data.total
    ? `${plural(data.total, "item")} wait${data.total === 1 ? "s" : ""} for you; nothing else fixes ${data.total === 1 ? "it" : "them"}.`
    : "";
  if (!data.total) {
    $("inbox-body").replaceChildren(el("p", { className: "mb-0 inbox-empty", attrs: { id: "inbox-empty" } },
      el("span", { className: "me-1", attrs: { "aria-hidden": "true" }, text: "✓" }),
      el("strong", { text: "Nothing needs you." }),
      " Every file was filed, is on its way, or retries by itself."));
    return;
  }
  const active = document.activeElement;
  const focus = active && $("inbox-body").contains(active) ? { ...active.dataset } : null;
  $("inbox-body").replaceChildren(el("ul", { className: "list-unstyled mb-0 inbox-groups" }, ...data.groups.map(group)));
  if (focus) restoreFocus(focus);
}

function restoreFocus(data) {
  const selector = Object.entries(data).map(([k, v]) => `[data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${CSS.escape(v)}"]`).join("");
  const again = selector ? $("inbox-body").querySelector(`button${selector}`) : null;
  if (again) again.focus();
}

/** `onAction(name, item)` runs an item's button; `onShowGroup(cause)` filters the queue;
 * `onRetryGroup(cause)` retries a group; `onCount(total)` hears how many items need a person. */
export function wireInbox(callbacks) {
  links = callbacks;
  $("inbox-body").addEventListener("click", (e) => {
    const button = e.target.closest("button");
    if (!button) return;
    if (button.dataset.retryGroup) links.onRetryGroup(button.dataset.retryGroup);
    else if (button.dataset.showGroup) links.onShowGroup(button.dataset.showGroup);
    else if (button.dataset.action) {
      const item = shown.get(Number(button.dataset.id));
      if (item) links.onAction(button.dataset.action, item);
    }
  });
}
