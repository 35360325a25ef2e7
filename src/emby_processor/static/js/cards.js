/* The queue as a card list, for phones and small tablets (below 768 px the table gives way to it,
 * dashboard.css): each card shows the poster, the code, the title (else the file name), the
 * status and what happened, and the one useful action. A tap anywhere on the card opens the
 * item's details (its code is the button that does, stretched over the card); the action button
 * sits above it. The same page of items as the table, drawn from the same answer. */
import { actionButton } from "./buttons.js";
import { $, basename, el } from "./dom.js";
import { attemptText, cause, stageLabel, statusBadge, troubleOf } from "./meta.js";
import { posterThumb } from "./posters.js";

const shown = new Map(); // id -> item, for the buttons

/** The action worth a button on a card: what fixes an error (not Ignore or Re-fetch). */
export function mainAction(item) {
  if (item.status !== "error") return null;
  return (item.actions || []).find((name) => name !== "ignore" && name !== "reprocess") || null;
}

function statusLine(item) {
  const line = el("div", { className: "qcard-status" }, statusBadge(item));
  if (item.status !== "completed" && item.stage) {
    line.append(" ", el("span", { className: "small text-body-secondary", text: stageLabel(item.stage) }));
  }
  if (item.status === "error") {
    const known = cause(item.cause);
    const sentence = item.message || (known ? known.title : item.error_message);
    if (sentence) line.append(el("div", { className: "qcard-cause small", text: sentence }));
    if (troubleOf(item) === "retrying") line.append(el("div", { className: "small qcard-attempt", text: attemptText(item) }));
  }
  return line;
}

function card(item) {
  shown.set(item.id, item);
  const name = item.movie_code || basename(item.file_path);
  const main = mainAction(item);
  return el("li", { className: "qcard", data: { id: item.id, status: item.status, trouble: troubleOf(item) || "" } },
    posterThumb(item, "qcard-poster"),
    el("div", { className: "qcard-text" },
      el("button", {
        className: "qcard-open stretched-link", text: name,
        attrs: { type: "button", "aria-label": `${name}: view details of item ${item.id}` },
        data: { action: "details", id: item.id },
      }),
      el("div", { className: "qcard-title text-truncate", text: item.title || basename(item.file_path) }),
      statusLine(item),
      main ? el("div", { className: "qcard-action" }, actionButton(main, item, { main: main !== "retry" })) : null));
}

/** Draws the page of items as cards (`empty` is the sentence for no items). */
export function renderCards(items, empty) {
  shown.clear();
  const list = $("queue-cards");
  if (!list) return;
  list.replaceChildren(...(items.length ? items.map(card) : [el("li", { className: "qcard-empty text-body-secondary", text: empty })]));
}

/** `onAction(name, item)` for the cards' buttons (`details` included). */
export function wireCards({ onAction }) {
  const list = $("queue-cards");
  if (!list) return;
  list.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-action]");
    if (!button) return;
    const item = shown.get(Number(button.dataset.id));
    if (item) onAction(button.dataset.action, item);
  });
}
