/* The item dialog: opens on a row or a log line, follows the item while open (each poll), and
 * offers Retry, Re-fetch metadata, Delete (confirmed in the dialog's footer) and the item's logs.
 * Focus stays inside the dialog through every in-dialog action, so Escape keeps closing it. */
import { deleteItem, reprocessItem, retryItem } from "./actions.js";
import { api, describeError, HttpError } from "./api.js";
import { $, el, focusable } from "./dom.js";
import {
  errorView, filesView, itemTitle, metadataView, section, summaryView, timelineView, warningsView,
} from "./itemview.js";
import { isOpen, modal, showModal, whenNoModal } from "./modals.js";

const DIALOG = "detail-modal";

const detail = {
  id: null, item: null, key: "",
  meta: { node: null, key: "", id: null }, // the metadata view, kept while unchanged (folds survive)
  confirm: null, opener: null,             // the action awaiting confirmation, the button that asked
};

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
      setButtons(null);
      $("detail-title").textContent = `Item #${id} (removed from the queue)`;
      keepFocusInDialog();
      return;
    }
    throw error;
  }
  if (id !== detail.id || detail.confirm || JSON.stringify(item) === detail.key) return;
  render(item);
}

function setButtons(item) {
  $("detail-retry").classList.toggle("d-none", !item || item.status !== "error");
  $("detail-reprocess").disabled = !item || item.status === "processing";
  $("detail-delete").disabled = !item || item.status === "processing";
  $("detail-logs").disabled = !item;
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
  const parts = [errorView(item), summaryView(item), filesView(item), warningsView(item), detail.meta.node,
    section("Timeline", timelineView(item.events || []))].filter(Boolean);
  const body = $("detail-body");
  const scroll = body.scrollTop;
  body.replaceChildren(...parts);
  body.scrollTop = scroll;
  keepFocusInDialog();
}

/** Focus that fell out of the open dialog (its button hid or was disabled) goes back into it:
 * to `preferred` when it can take it, else to the dialog itself. */
function keepFocusInDialog(preferred) {
  const dialog = $(DIALOG);
  if (!isOpen(DIALOG)) return;
  const active = document.activeElement;
  if (!preferred && active && dialog.contains(active) && (active === dialog || focusable(active))) return;
  (focusable(preferred) ? preferred : dialog).focus();
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

async function retry() {
  const id = detail.id;
  const item = await retryItem(id);
  if (item && id === detail.id && isOpen(DIALOG)) render(item);
}

async function reprocess() {
  const id = detail.id;
  const item = await reprocessItem(id);
  if (item && id === detail.id) render(item);
}

async function remove() {
  if (await deleteItem(detail.id)) modal(DIALOG).hide();
}

/** `onShowLogs(id)`: the "Logs of this item" button. */
export function wireDetail({ onShowLogs }) {
  $("detail-retry").addEventListener("click", () => askConfirm("Retry this item now, at the step that failed?", "Retry", retry));
  $("detail-reprocess").addEventListener("click", () => askConfirm("Fetch the metadata again (skipping caches) and push it to Emby?", "Re-fetch", reprocess));
  $("detail-delete").addEventListener("click", () => askConfirm("Remove this item from the queue? The file on disk is not touched.", "Delete", remove, true));
  $("detail-confirm-no").addEventListener("click", () => answerConfirm(false));
  $("detail-confirm-yes").addEventListener("click", () => answerConfirm(true));
  $("detail-logs").addEventListener("click", () => {
    const id = detail.id;
    modal(DIALOG).hide();
    onShowLogs(id);
  });
  $(DIALOG).addEventListener("hidden.bs.modal", () => {
    hideConfirm();
    detail.id = null;
  });
}
