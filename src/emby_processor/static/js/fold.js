/* Panels that fold: a panel with `data-fold` has a button in its heading (aria-expanded) that
 * shows or hides its body (`.fold-body`). `data-fold="phone"` starts folded on a phone (below
 * 768 px), `data-fold="always"` starts folded everywhere (the panels one click away on a
 * desktop). A person's choice is kept for the page's life; the width at load picks the start. */
import { el } from "./dom.js";

export const PHONE = "(max-width: 767.98px)";

function setOpen(panel, open) {
  panel.classList.toggle("folded", !open);
  const button = panel.querySelector(".fold-toggle");
  if (button) button.setAttribute("aria-expanded", String(open));
  panel.dispatchEvent(new CustomEvent("fold", { detail: { open } }));
}

/** Opens a folded panel (a link to something inside it, a test). */
export function unfold(panel) {
  setOpen(panel, true);
}

/** Puts a toggle into each foldable panel's heading and folds what starts folded. */
export function wireFolds() {
  const phone = window.matchMedia(PHONE).matches;
  for (const panel of document.querySelectorAll("[data-fold]")) {
    const heading = panel.querySelector(".fold-heading");
    const body = panel.querySelector(".fold-body");
    if (!heading || !body) continue;
    body.id = body.id || `${panel.id}-body`;
    const button = el("button", {
      className: "fold-toggle", attrs: { type: "button", "aria-controls": body.id, "aria-expanded": "true" },
    }, el("span", { className: "fold-chevron", attrs: { "aria-hidden": "true" } }), ...heading.childNodes);
    heading.replaceChildren(button);
    button.addEventListener("click", () => setOpen(panel, panel.classList.contains("folded")));
    const mode = panel.dataset.fold;
    setOpen(panel, !(mode === "always" || (mode === "phone" && phone)));
  }
}
