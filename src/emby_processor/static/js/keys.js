/* Keyboard shortcuts for the queue: j / k move the focused row, Enter opens its details, r retries
 * it, x selects it, / goes to the search, ? lists the keys. Keys are ignored while typing in a
 * field or while a dialog is open, and with Ctrl, Alt or Meta held (the browser's own keys). The
 * focused row takes the real focus (a visible ring) and a polite live region says which item it
 * is; after the table redraws (polling) the same item keeps it. */
import { $ } from "./dom.js";
import { filterLabel, troubleOf } from "./meta.js";
import { showModal } from "./modals.js";
import { onQueueRendered, pageItems, toggleRow } from "./selection.js";

let focusedId = null;
let rowHasFocus = false; // the focused row holds the page's focus (kept across redraws)
let links = { onAction: () => {} };

const TEXT_INPUTS = new Set(["text", "search", "email", "number", "password", "tel", "url", "date", "time", ""]);

function typing(target) {
  if (!(target instanceof Element)) return false;
  if (target.closest("textarea, select, [contenteditable='true'], [contenteditable='']")) return true;
  return target instanceof HTMLInputElement && TEXT_INPUTS.has(target.type);
}

const rowOf = (id) => (id === null ? null : $("queue-body").querySelector(`tr[data-id="${CSS.escape(String(id))}"]`));

function describe(item, index, count) {
  const status = filterLabel(troubleOf(item) || item.status);
  const name = item.movie_code || item.file_path || "";
  return `Item ${item.id}${name ? `, ${name}` : ""}, ${status}. Row ${index + 1} of ${count}.`;
}

/** Gives the row of item `id` the focus and says which item it is. */
function focusRow(id, { announce = true } = {}) {
  const items = pageItems();
  const index = items.findIndex((item) => item.id === id);
  const row = rowOf(id);
  if (index < 0 || !row) return;
  for (const other of $("queue-body").querySelectorAll("tr.row-focus")) other.classList.remove("row-focus");
  focusedId = id;
  row.tabIndex = -1;
  row.classList.add("row-focus");
  row.focus();
  rowHasFocus = true;
  row.scrollIntoView({ block: "nearest" });
  if (announce) $("queue-announce").textContent = describe(items[index], index, items.length);
}

function move(step) {
  const items = pageItems();
  if (!items.length) return;
  const index = items.findIndex((item) => item.id === focusedId);
  const next = index < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + step));
  focusRow(items[next].id);
}

const focusedItem = () => pageItems().find((item) => item.id === focusedId) || null;

/** What each key does; `?` and `/` work without a focused row. */
const KEYS = {
  j: () => move(1),
  k: () => move(-1),
  x: () => {
    const item = focusedItem();
    if (item) toggleRow(item.id);
  },
  r: () => {
    const item = focusedItem();
    if (item && (item.actions || []).includes("retry")) links.onAction("retry", item);
    else if (item) $("queue-announce").textContent = `Item ${item.id} cannot be retried now.`;
  },
  "/": () => $("filter-q").focus(),
  "?": () => showModal("keys-modal"),
};

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
  if (typing(e.target) || document.querySelector(".modal.show")) return;
  if (e.key === "Enter") {
    const item = focusedItem();
    if (item && e.target === rowOf(item.id)) {
      e.preventDefault();
      links.onAction("details", item);
    }
    return;
  }
  const run = KEYS[e.key];
  if (!run) return;
  e.preventDefault();
  run();
}

/** After a redraw: the focused item keeps its ring, and the focus if its row had it. */
function afterRender() {
  const row = rowOf(focusedId);
  if (!row) return;
  row.tabIndex = -1;
  row.classList.add("row-focus");
  const lost = !document.activeElement || document.activeElement === document.body;
  if (rowHasFocus && lost) row.focus({ preventScroll: true });
}

/** `onAction(name, item)` runs a row's action (`details`, `retry`), as the row's buttons do. */
export function wireKeys(callbacks) {
  links = { ...links, ...callbacks };
  document.addEventListener("keydown", onKey);
  onQueueRendered(afterRender);
  document.addEventListener("focusin", (e) => {
    rowHasFocus = e.target instanceof HTMLTableRowElement && e.target.classList.contains("row-focus");
  });
  document.addEventListener("pointerdown", (e) => {
    if (!(e.target instanceof Element) || !e.target.closest("tr.row-focus")) rowHasFocus = false;
  });
  $("queue-body").addEventListener("focusin", (e) => {
    // a click or Tab into a row moves the keyboard's row there too
    const row = e.target.closest("tr[data-id]");
    if (row && Number(row.dataset.id) !== focusedId && pageItems().some((item) => item.id === Number(row.dataset.id))) {
      for (const other of $("queue-body").querySelectorAll("tr.row-focus")) other.classList.remove("row-focus");
      focusedId = Number(row.dataset.id);
      row.classList.add("row-focus");
    }
  });
  $("keys-open").addEventListener("click", () => showModal("keys-modal"));
}
