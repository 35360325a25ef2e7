/* The buttons for what a person can do about an item (the API's `actions` on it), the same in
 * the inbox, the queue's rows and the item dialog; main.js runs them (`data-action`, `data-id`). */
import { el } from "./dom.js";
import { actionLabel } from "./meta.js";

/** One action's button; `main` marks the one to do first. */
export function actionButton(name, item, { main = false } = {}) {
  const style = name === "ignore" ? "btn-outline-danger" : main ? "btn-primary" : "btn-outline-secondary";
  const label = actionLabel(name);
  return el("button", {
    className: `btn btn-sm ${style}`, text: label,
    attrs: { type: "button", "aria-label": `${label} item ${item.id}` }, data: { action: name, id: item.id },
  });
}

/** The "Details" button of an item (outside the queue table, whose rows say "View details"). */
export function detailsButton(item) {
  return el("button", {
    className: "btn btn-sm btn-outline-secondary", text: "Details",
    attrs: { type: "button", "aria-label": `Details of item ${item.id}` }, data: { action: "details", id: item.id },
  });
}

/** The item's buttons, main action first, at most `limit` of them (Details comes on top). */
export function actionButtons(item, { limit = 3 } = {}) {
  return (item.actions || []).slice(0, limit).map((name, n) => actionButton(name, item, { main: n === 0 && name !== "ignore" }));
}
