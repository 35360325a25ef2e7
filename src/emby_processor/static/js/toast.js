/* Short messages in the top centre, over neither the navbar's controls nor a dialog's buttons. */
import { $, el } from "./dom.js";

/** kind: a Bootstrap colour (success, secondary, warning, danger); danger ones are announced at once. */
export function toast(message, kind = "success") {
  const urgent = kind === "danger";
  const node = el("div", {
    className: `toast align-items-center border-0 text-bg-${kind}`,
    attrs: { role: urgent ? "alert" : "status", "aria-live": urgent ? "assertive" : "polite", "aria-atomic": "true" },
  });
  const close = el("button", {
    className: `btn-close ${kind === "warning" || kind === "light" ? "" : "btn-close-white"} me-2 m-auto`,
    attrs: { type: "button", "data-bs-dismiss": "toast", "aria-label": "Close" },
  });
  node.append(el("div", { className: "d-flex" }, el("div", { className: "toast-body", text: message }), close));
  $("toasts").append(node);
  node.addEventListener("hidden.bs.toast", () => node.remove());
  window.bootstrap.Toast.getOrCreateInstance(node, { delay: urgent ? 9000 : 4500 }).show();
}
