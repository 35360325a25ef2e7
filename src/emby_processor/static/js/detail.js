/* The item dialog: opens on a row, an inbox entry or a log line, follows the item while open (each
 * poll), and offers what can succeed for the item now (its `actions`): Retry and Re-fetch act at
 * once, Ignore asks in the dialog's footer, Set code / Choose / Settle open their own dialog.
 * Focus stays inside the dialog through every in-dialog action, so Escape keeps closing it. */
import { reprocessItem, retryItem } from "./actions.js";
import { api, change, describeError, HttpError } from "./api.js";
import { actionButton } from "./buttons.js";
import { $, basename, el, focusable } from "./dom.js";
import {
  errorView, filesView, itemTitle, metadataView, movieView, section, summaryView, timelineView, warningsView,
} from "./itemview.js";
import { isOpen, modal, showModal, whenNoModal } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { toast } from "./toast.js";

const DIALOG = "detail-modal";
/** run inside the dialog; the others open a dialog of their own */
const IN_DIALOG = new Set(["retry", "reprocess", "ignore"]);

const detail = {
  id: null, item: null, key: "",
  meta: { node: null, key: "", id: null }, // the metadata view, kept while unchanged (folds survive)
  confirm: null, opener: null,             // the action awaiting confirmation, the button that asked
};
let links = { onAction: () => {}, onShowLogs: () => {} };

/** The dialog's item id (null when closed). */
export const detailId = () => detail.id;

export async function openDetail(itemId) {
  detail.id = Number(itemId);
  detail.item = null;
  detail.meta.node = null;
  hideConfirm();
  $("detail-title").textContent = `Item #${detail.id}`;
  $("detail-body").replaceChildren(el("p", { className: "text-body-secondary", text: "Loading…" }));
  setButtons(null);
  if (!isOpen(DIALOG)) {
    await whenNoModal();
    showModal(DIALOG);
  }
  const id = detail.id;
  try {
    const item = await api(`/api/queue/${id}`);
    if (id === detail.id) render(item);
  } catch (error) {
    if (id !== detail.id) return;
    $("detail-body").replaceChildren(el("div", {
      className: "alert alert-danger", attrs: { role: "alert" },
      text: `Could not load item ${id}: ${describeError(error)}`,
    }));
  }
}

/** While the dialog is open, each poll cycle redraws it when the item changed. */
export async function refreshDetail() {
  const id = detail.id;
  if (id === null || !detail.item || detail.confirm || !isOpen(DIALOG)) return;
  let item;
  try {
    item = await api(`/api/queue/${id}`);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404 && id === detail.id) {
      gone(id);
      return;
    }
    throw error;
  }
  if (id !== detail.id || detail.confirm || JSON.stringify(item) === detail.key) return;
  render(item);
}

function gone(id) {
  setButtons(null);
  $("detail-title").textContent = `Item #${id} (no longer in the queue)`;
  keepFocusInDialog();
}

/** The item's actions in the footer, the main one first and coloured. */
function setButtons(item) {
  const box = $("detail-actions");
  const actions = item ? item.actions || [] : [];
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.action : null;
  box.replaceChildren(...actions.map((name, n) => actionButton(name, item, { main: n === 0 && name !== "ignore" })));
  $("detail-logs").disabled = !item;
  if (focused) {
    const again = box.querySelector(`button[data-action="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

function render(item) {
  detail.item = item;
  detail.key = JSON.stringify(item);
  $("detail-title").textContent = itemTitle(item);
  setButtons(item);
  const metaKey = JSON.stringify(item.metadata === undefined ? null : item.metadata);
  if (!detail.meta.node || detail.meta.key !== metaKey || detail.meta.id !== item.id) {
    detail.meta = { node: section("Metadata", metadataView(item.metadata)), key: metaKey, id: item.id };
  }
  const parts = [errorView(item), movieView(item), summaryView(item), filesView(item), warningsView(item),
    section("Timeline, newest first", timelineView(item.events || [])), detail.meta.node].filter(Boolean);
  const body = $("detail-body");
  const scroll = body.scrollTop;
  body.replaceChildren(...parts);
  body.scrollTop = scroll;
  keepFocusInDialog();
}

/** Focus that fell out of the open dialog (its button hid or was disabled) goes back into it:
 * to `preferred` when it can take it, else to the first action, else to the dialog itself. */
function keepFocusInDialog(preferred) {
  const dialog = $(DIALOG);
  if (!isOpen(DIALOG)) return;
  const active = document.activeElement;
  if (!preferred && active && dialog.contains(active) && (active === dialog || focusable(active))) return;
  const first = $("detail-actions").querySelector("button");
  (focusable(preferred) ? preferred : focusable(first) ? first : dialog).focus();
}

function askConfirm(text, label, action, danger = false) {
  detail.confirm = action;
  detail.opener = document.activeElement;
  $("detail-confirm-text").textContent = text;
  const yes = $("detail-confirm-yes");
  yes.textContent = label;
  yes.className = `btn btn-sm ${danger ? "btn-danger" : "btn-primary"}`;
  const bar = $("detail-confirm");
  bar.classList.remove("d-none");
  bar.classList.add("d-flex");
  yes.focus();
}

function hideConfirm() {
  detail.confirm = null;
  const bar = $("detail-confirm");
  bar.classList.add("d-none");
  bar.classList.remove("d-flex");
}

/** Closes the confirmation bar and gives the focus back to the button that opened it. */
function answerConfirm(yes) {
  const action = detail.confirm;
  const opener = detail.opener;
  hideConfirm();
  keepFocusInDialog(opener);
  if (yes && action) action().finally(() => keepFocusInDialog());
}

async function runHere(name) {
  const id = detail.id;
  const item = name === "retry" ? await retryItem(id) : await reprocessItem(id);
  if (item && id === detail.id && isOpen(DIALOG)) render(item);
}

async function ignore() {
  const item = detail.item;
  try {
    await change(`/api/queue/${item.id}/ignore`);
    toast(`${basename(item.file_path)} is ignored. Ignored files lists it; un-ignore it there.`, "secondary");
    gone(item.id);
  } catch (error) {
    toast(`Ignoring item #${item.id} failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
}

function onAction(name) {
  const item = detail.item;
  if (!item) return;
  if (name === "ignore") {
    askConfirm(`Ignore “${basename(item.file_path)}”? It leaves the queue and is never picked up again until you un-ignore it. The file on disk is not touched.`,
      "Ignore this file", ignore, true);
  } else if (IN_DIALOG.has(name)) {
    runHere(name);
  } else {
    links.onAction(name, item);
  }
}

/** `onAction(name, item)` opens another dialog (set code, choose, duplicate); `onShowLogs(id)`
 * is the "Logs of this item" button. */
export function wireDetail(callbacks) {
  links = callbacks;
  $("detail-actions").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-action]");
    if (button) onAction(button.dataset.action);
  });
  $("detail-confirm-no").addEventListener("click", () => answerConfirm(false));
  $("detail-confirm-yes").addEventListener("click", () => answerConfirm(true));
  $("detail-logs").addEventListener("click", () => {
    const id = detail.id;
    modal(DIALOG).hide();
    links.onShowLogs(id);
  });
  $(DIALOG).addEventListener("hidden.bs.modal", () => {
    hideConfirm();
    detail.id = null;
  });
}
