/* Short messages in the top centre, over neither the navbar's controls nor a dialog's buttons.
 * A toast may carry one action (an Undo): a button that runs it and closes the toast. */
import { $, el } from "./dom.js";

/** kind: a Bootstrap colour (success, secondary, warning, danger); danger ones are announced at
 * once. `action`: {label, run} shown as a button in the toast. */
export function toast(message, kind = "success", { action } = {}) {
  const urgent = kind === "danger";
  const light = kind === "warning" || kind === "light";
  const node = el("div", {
    className: `toast align-items-center border-0 text-bg-${kind}`,
    attrs: { role: urgent ? "alert" : "status", "aria-live": urgent ? "assertive" : "polite", "aria-atomic": "true" },
  });
  const close = el("button", {
    className: `btn-close ${light ? "" : "btn-close-white"} me-2 m-auto`,
    attrs: { type: "button", "data-bs-dismiss": "toast", "aria-label": "Close" },
  });
  const body = el("div", { className: "toast-body d-flex align-items-center gap-2 flex-wrap" }, el("span", { text: message }));
  if (action) {
    const button = el("button", {
      className: `btn btn-sm ${light ? "btn-dark" : "btn-light"} toast-action`, text: action.label,
      attrs: { type: "button" },
    });
    button.addEventListener("click", () => {
      window.bootstrap.Toast.getOrCreateInstance(node).hide();
      action.run();
    });
    body.append(button);
  }
  node.append(el("div", { className: "d-flex" }, body, close));
  $("toasts").append(node);
  node.addEventListener("hidden.bs.toast", () => node.remove());
  // a toast with an action stays long enough to reach it
  window.bootstrap.Toast.getOrCreateInstance(node, { delay: urgent || action ? 9000 : 4500 }).show();
}
