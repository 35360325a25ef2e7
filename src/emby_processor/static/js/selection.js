/* Selecting rows of the queue table for bulk work: a checkbox on each row (shift-click selects the
 * range from the last row clicked), one in the header for the page, and "Select all N matching",
 * which hands the table's filter to the server instead of ids (it reaches past the loaded page).
 * The bar above the table says how many are selected and offers Retry, Re-fetch metadata and
 * Ignore for them (bulk.js does the work). The selection survives paging and polling; a new
 * filter clears it. */
import { $, el, fmtNumber, plural } from "./dom.js";
import { queueParams } from "./urlstate.js";

const sel = {
  ids: new Set(),
  allMatching: false, // every item matching `filterKey`, however many pages
  anchor: null, // the row a shift-click ranges from
  total: 0,
  filterKey: null,
  items: [], // the rows on this page, in order
};
const rendered = [];
let boxFocus = null; // the row checkbox that has the focus (given back after a redraw)

/** The items on the page, in table order (keys.js moves through them). */
export const pageItems = () => sel.items;

export const isSelected = (id) => sel.allMatching || sel.ids.has(id);

/** Calls `fn(data)` after each redraw of the table. */
export function onQueueRendered(fn) {
  rendered.push(fn);
}

/** What the bulk endpoints act on: {filter} for "all matching", else {ids}. */
export function selectionTarget() {
  if (sel.allMatching) return { filter: Object.fromEntries(queueParams()), count: sel.total };
  return { ids: [...sel.ids], count: sel.ids.size };
}

export function clearSelection() {
  sel.ids.clear();
  sel.allMatching = false;
  sel.anchor = null;
  refresh();
}

/** Selects or unselects one row (the `x` key, a click). */
export function toggleRow(id, on = !isSelected(id)) {
  leaveAllMatching();
  if (on) sel.ids.add(id);
  else sel.ids.delete(id);
  sel.anchor = id;
  refresh();
}

/** "All matching" becomes the rows of this page once one row changes. */
function leaveAllMatching() {
  if (!sel.allMatching) return;
  sel.allMatching = false;
  for (const item of sel.items) sel.ids.add(item.id);
}

function selectRange(from, to, on) {
  const order = sel.items.map((item) => item.id);
  const a = order.indexOf(from);
  const b = order.indexOf(to);
  if (a < 0 || b < 0) return false;
  for (const id of order.slice(Math.min(a, b), Math.max(a, b) + 1)) {
    if (on) sel.ids.add(id);
    else sel.ids.delete(id);
  }
  return true;
}

/** The header cell: a checkbox for every row of this page. */
export function selectHeader() {
  return el("th", { className: "select-cell", attrs: { scope: "col" } }, el("input", {
    className: "form-check-input", attrs: { type: "checkbox", id: "select-page", "aria-label": "Select every item on this page" },
  }));
}

/** A row's first cell: its checkbox. */
export function selectCell(item) {
  const label = `Select item ${item.id}${item.movie_code ? ` (${item.movie_code})` : ""}`;
  return el("td", { className: "select-cell" }, el("input", {
    className: "form-check-input row-select",
    attrs: { type: "checkbox", "aria-label": label, checked: isSelected(item.id) ? "" : null },
    data: { id: item.id },
  }));
}

/** Marks a row drawn as selected (queue.js calls it for each row). */
export function decorateRow(row, item) {
  row.classList.toggle("row-selected", isSelected(item.id));
}

/** After the table is drawn: a new filter clears the selection; the bar and boxes follow. */
export function queueRendered(data) {
  const key = queueParams().toString();
  if (sel.filterKey !== null && key !== sel.filterKey) {
    sel.ids.clear();
    sel.allMatching = false;
    sel.anchor = null;
  }
  sel.filterKey = key;
  sel.total = data.total;
  sel.items = data.items;
  refresh();
  const box = boxFocus === null ? null : document.querySelector(`#queue-body input.row-select[data-id="${boxFocus}"]`);
  if (box && document.activeElement === document.body) box.focus({ preventScroll: true });
  for (const fn of rendered) fn(data);
}

function refresh() {
  for (const box of document.querySelectorAll("#queue-body input.row-select")) {
    const on = isSelected(Number(box.dataset.id));
    box.checked = on;
    box.closest("tr").classList.toggle("row-selected", on);
  }
  const page = $("select-page");
  if (page) {
    const onPage = sel.items.filter((item) => isSelected(item.id)).length;
    page.checked = onPage > 0 && onPage === sel.items.length;
    page.indeterminate = onPage > 0 && onPage < sel.items.length;
  }
  drawBar();
}

function drawBar() {
  const count = sel.allMatching ? sel.total : sel.ids.size;
  const bar = $("bulk-bar");
  bar.classList.toggle("d-none", count === 0);
  bar.classList.toggle("d-flex", count > 0);
  $("bulk-count").textContent = sel.allMatching
    ? `All ${plural(count, "matching item")} selected`
    : `${plural(count, "item")} selected`;
  const all = $("bulk-all");
  const onPage = sel.items.length && sel.items.every((item) => sel.ids.has(item.id));
  const more = !sel.allMatching && onPage && sel.total > sel.items.length;
  all.classList.toggle("d-none", !more);
  all.textContent = `Select all ${fmtNumber(sel.total)} matching`;
}

/** The checkboxes and the bar's selection buttons (the actions are wired by bulk.js). */
export function wireSelection() {
  document.addEventListener("focusin", (e) => {
    boxFocus = e.target.matches && e.target.matches("input.row-select") ? Number(e.target.dataset.id) : null;
  });
  $("queue-head").addEventListener("change", (e) => {
    if (e.target.id !== "select-page") return;
    leaveAllMatching();
    for (const item of sel.items) {
      if (e.target.checked) sel.ids.add(item.id);
      else sel.ids.delete(item.id);
    }
    refresh();
  });
  $("queue-body").addEventListener("click", (e) => {
    const box = e.target.closest("input.row-select");
    if (!box) return;
    const id = Number(box.dataset.id);
    leaveAllMatching();
    if (!(e.shiftKey && sel.anchor !== null && selectRange(sel.anchor, id, box.checked))) {
      if (box.checked) sel.ids.add(id);
      else sel.ids.delete(id);
    }
    sel.anchor = id;
    refresh();
  });
  $("bulk-all").addEventListener("click", () => {
    sel.allMatching = true;
    refresh();
    $("bulk-count").focus();
  });
  $("bulk-clear").addEventListener("click", () => {
    clearSelection();
    $("queue-card").focus();
  });
}
