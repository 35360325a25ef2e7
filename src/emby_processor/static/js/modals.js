/* Bootstrap dialogs: opening one at a time, giving the focus back, the confirmation and the API
 * token prompt. */
import { $ } from "./dom.js";

export const modal = (id) => window.bootstrap.Modal.getOrCreateInstance($(id));

export const isOpen = (id) => $(id).classList.contains("show");

/** Shows a modal and, when it closes, gives focus back to what had it (keyboard users). */
export function showModal(id) {
  const opener = document.activeElement;
  const key = opener && opener.dataset ? { action: opener.dataset.action, id: opener.dataset.id, row: opener.matches("tr[data-id]") } : null;
  $(id).addEventListener("hidden.bs.modal", () => {
    if (document.querySelector(".modal.show")) return; // another modal took over
    let target = opener;
    if (!target || !target.isConnected) {
      // the row was redrawn meanwhile: the same row (the keys' focus), or the same button in it
      const row = key && key.row ? document.querySelector(`tr[data-id="${CSS.escape(key.id)}"]`) : null;
      target = row || (key && key.id ? (document.querySelector(
        `button[data-action="${CSS.escape(key.action || "")}"][data-id="${CSS.escape(key.id)}"]`)
        || document.querySelector(`button[data-id="${CSS.escape(key.id)}"]`)) : null);
    }
    if (target && target !== document.body && typeof target.focus === "function") target.focus();
  }, { once: true });
  modal(id).show();
}

/** Waits for any open modal to finish hiding, so two never overlap. */
export function whenNoModal() {
  const open = document.querySelector(".modal.show");
  if (!open) return Promise.resolve();
  return new Promise((resolve) => {
    open.addEventListener("hidden.bs.modal", () => resolve(), { once: true });
    window.bootstrap.Modal.getOrCreateInstance(open).hide();
  });
}

/** The page's confirmation for what loses something; resolves {ok}. (Inside a dialog the
 * dialog's own footer asks instead, so the focus never leaves it.) */
export async function confirmAction({ title, text, confirmLabel = "Confirm", danger = false }) {
  await whenNoModal();
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  const ok = $("confirm-ok");
  ok.textContent = confirmLabel;
  ok.className = `btn ${danger ? "btn-danger" : "btn-primary"}`;
  const node = $("confirm-modal");
  return new Promise((resolve) => {
    let result = { ok: false };
    const onSubmit = (event) => {
      event.preventDefault();
      result = { ok: true };
      modal("confirm-modal").hide();
    };
    $("confirm-form").addEventListener("submit", onSubmit);
    node.addEventListener("shown.bs.modal", () => ok.focus(), { once: true });
    node.addEventListener("hidden.bs.modal", () => {
      $("confirm-form").removeEventListener("submit", onSubmit);
      resolve(result);
    }, { once: true });
    showModal("confirm-modal");
  });
}

/** Asks for the API token; resolves it, or "" when the user cancels. */
export async function askToken(message) {
  await whenNoModal();
  $("token-text").textContent = message || "This server asks for its API token before it changes anything.";
  $("token-input").value = "";
  const node = $("token-modal");
  return new Promise((resolve) => {
    let token = "";
    const onSubmit = (event) => {
      event.preventDefault();
      token = $("token-input").value.trim();
      if (token) modal("token-modal").hide();
    };
    $("token-form").addEventListener("submit", onSubmit);
    node.addEventListener("shown.bs.modal", () => $("token-input").focus(), { once: true });
    node.addEventListener("hidden.bs.modal", () => {
      $("token-form").removeEventListener("submit", onSubmit);
      resolve(token);
    }, { once: true });
    showModal("token-modal");
  });
}
