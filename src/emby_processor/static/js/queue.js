/* The queue table: filters (status or kind of trouble, cause, search, sort, actress), 50 rows a
 * page with a pager, and on each row its main action and View details. An error row says what
 * happened in a sentence; one that retries by itself says which attempt comes next and when.
 * Column titles, statuses, stages and causes are the service's words (meta.js). */
import { api, HttpError } from "./api.js";
import { actionButton } from "./buttons.js";
import { renderCards } from "./cards.js";
import { $, basename, debounce, el, fmtNumber, plural, timeNode } from "./dom.js";
import {
  attemptText, cause, defaultSort, fieldLabel, hasField, sorts, stageLabel, statusBadge, statuses, troubleOf, troubles,
} from "./meta.js";
import { onBackgroundError } from "./poll.js";
import { posterThumb } from "./posters.js";
import { decorateRow, queueRendered, selectCell, selectHeader } from "./selection.js";
import { PAGE_SIZE, SEARCH_DEBOUNCE_MS, SEARCH_MAX_LENGTH } from "./settings.js";
import { markStatCard } from "./stats.js";
import { isFiltered, queueParams, state, writeUrl } from "./urlstate.js";

/** The row fields the table shows, in order; the last column holds the row's buttons. */
const COLUMNS = ["id", "movie_code", "actress", "status", "emby_id", "created_at"];

let seq = 0;
let lastKey = "";
const rowVersions = new Map();
const shown = new Map(); // id -> item, for the row buttons

export function invalidateQueue() {
  lastKey = "";
}

/** Filter choices and column titles from the vocabulary. */
export function buildQueueControls() {
  $("filter-status").append(
    ...statuses().map(({ name, label }) => el("option", { text: label, attrs: { value: name } })),
    el("optgroup", { attrs: { label: "Errors" } },
      ...troubles().map(({ name, label }) => el("option", { text: label, attrs: { value: name } }))));
  $("filter-sort").replaceChildren(...sorts().map(({ name, label }) => el("option", { text: label, attrs: { value: name } })));
  const headers = COLUMNS.filter(hasField).map((name) => el("th", {
    className: name === "id" ? "text-end" : "", text: fieldLabel(name), attrs: { scope: "col" },
  }));
  headers.push(el("th", { className: "text-end", text: "Actions", attrs: { scope: "col" } }));
  $("queue-head").replaceChildren(el("tr", {}, selectHeader(), ...headers));
}

export async function loadQueue() {
  const mine = ++seq;
  const p = queueParams();
  p.set("sort", state.sort);
  p.set("page", String(state.page));
  p.set("limit", String(PAGE_SIZE));
  let data;
  try {
    data = await api(`/api/queue?${p}`);
  } catch (error) {
    if (mine !== seq) return;
    if (error instanceof HttpError) {
      const box = $("queue-error");
      box.textContent = `The queue could not be loaded: ${error.message}`;
      box.classList.remove("d-none");
    }
    throw error;
  }
  if (mine !== seq) return; // a newer request (another filter or page) won
  $("queue-error").classList.add("d-none");
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  if (data.total > 0 && state.page > pages) {
    // the page emptied (cleanup, filter): show the last one that has rows
    state.page = pages;
    writeUrl();
    await loadQueue();
    return;
  }
  const key = JSON.stringify(data);
  if (key === lastKey) return;
  lastKey = key;
  renderQueue(data);
}

/** Status (errors as needs you / retrying), stage and, for an error, what happened in a sentence
 * (the raw error text on hover; the item's details fold it under "Technical details"). */
function statusCell(item) {
  const cell = el("td", { className: "status-cell" }, statusBadge(item));
  if (item.status !== "completed" && item.stage) {
    cell.append(" ", el("span", { className: "small text-body-secondary", text: stageLabel(item.stage) }));
  }
  if (item.status === "error") {
    const known = cause(item.cause);
    const sentence = item.message || (known ? known.title : item.error_message);
    if (sentence) cell.append(el("div", { className: "cause", text: sentence, attrs: { title: item.error_message || null } }));
    if (troubleOf(item) === "retrying") cell.append(el("div", { className: "attempt small", text: attemptText(item) }));
  }
  return cell;
}

function actionsCell(item) {
  const cell = el("td", { className: "actions text-end" });
  const main = (item.actions || []).find((name) => name !== "ignore" && name !== "reprocess");
  if (item.status === "error" && main) cell.append(actionButton(main, item, { main: main !== "retry" }), " ");
  cell.append(el("button", {
    className: "btn btn-sm btn-outline-secondary", text: "View details",
    attrs: { type: "button", "aria-label": `View details of item ${item.id}` }, data: { action: "details", id: item.id },
  }));
  return cell;
}

const CELLS = {
  id: (item) => el("td", { className: "text-end text-body-secondary nowrap", text: item.id }),
  movie_code: (item) => el("td", { attrs: { title: item.title ? `${item.title}\n${item.file_path}` : item.file_path } },
    el("div", { className: "code-cell" }, posterThumb(item, "row-poster"), el("div", { className: "code-text" },
      el("div", { className: "code", text: item.movie_code || "—" }),
      el("div", { className: "file text-truncate", text: basename(item.file_path) })))),
  actress: (item) => el("td", { className: "actress-cell", text: item.actress || "—" }),
  status: statusCell,
  emby_id: (item) => el("td", { className: "small nowrap", text: item.emby_id || "—" }),
  created_at: (item) => el("td", { className: "small nowrap" }, timeNode(item.created_at)),
};

function renderRow(item) {
  shown.set(item.id, item);
  const row = el("tr", { data: { id: item.id, status: item.status, trouble: troubleOf(item) || "" } });
  const previous = rowVersions.get(item.id);
  if (previous && previous !== item.updated_at) row.classList.add("row-updated");
  rowVersions.set(item.id, item.updated_at);
  row.append(selectCell(item));
  for (const name of COLUMNS.filter(hasField)) row.append(CELLS[name](item));
  row.append(actionsCell(item));
  decorateRow(row, item);
  return row;
}

function renderQueue(data) {
  shown.clear();
  const body = $("queue-body");
  const active = document.activeElement;
  const focus = active && body.contains(active) && active.dataset.action
    ? { action: active.dataset.action, id: active.dataset.id } : null;
  const rows = data.items.map(renderRow);
  const empty = isFiltered() ? "No item matches these filters." : "The queue is empty. Files that appear in a watch folder show up here.";
  if (!rows.length) {
    rows.push(el("tr", {}, el("td", {
      className: "text-center text-body-secondary py-4", attrs: { colspan: COLUMNS.filter(hasField).length + 2 }, text: empty,
    })));
  }
  renderCards(data.items, empty);
  body.replaceChildren(...rows);
  if (focus) {
    const again = body.querySelector(`button[data-action="${focus.action}"][data-id="${CSS.escape(focus.id)}"]`)
      || body.querySelector(`button[data-id="${CSS.escape(focus.id)}"]`);
    if (again) again.focus();
  }
  const first = data.total ? (data.page - 1) * data.limit + 1 : 0;
  const last = Math.min(data.total, data.page * data.limit);
  $("page-info").textContent = data.total
    ? `${fmtNumber(first)}–${fmtNumber(last)} of ${fmtNumber(data.total)}`
    : "0 items";
  $("queue-summary").textContent = `${plural(data.total, "item")}${isFiltered() ? " match" : ""}`;
  renderPager(data.total, data.page);
  queueRendered(data);
}

function renderPager(total, page) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const item = (label, target, { disabled = false, current = false, aria } = {}) => el("li", {
    className: `page-item${disabled ? " disabled" : ""}${current ? " active" : ""}`,
  }, el("button", {
    className: "page-link", text: label,
    attrs: { type: "button", disabled: disabled || current ? "" : null, "aria-current": current ? "page" : null, "aria-label": aria || null },
    data: { page: target },
  }));
  const items = [
    item("«", 1, { disabled: page <= 1, aria: "First page" }),
    item("‹", page - 1, { disabled: page <= 1, aria: "Previous page" }),
  ];
  let start = Math.max(1, page - 2);
  const end = Math.min(pages, start + 4);
  start = Math.max(1, end - 4);
  for (let n = start; n <= end; n += 1) items.push(item(fmtNumber(n), n, { current: n === page, aria: `Page ${n}` }));
  items.push(
    item("›", page + 1, { disabled: page >= pages, aria: "Next page" }),
    item("»", pages, { disabled: page >= pages, aria: `Last page (${pages})` }),
  );
  $("pager").replaceChildren(...items);
}

export function reloadQueue() {
  loadQueue().catch(onBackgroundError);
}

function setPage(page) {
  state.page = Math.max(1, page);
  writeUrl();
  reloadQueue();
}

/** Puts `state` into the filter controls. */
export function syncFilterControls() {
  $("filter-status").value = state.status;
  $("filter-q").value = state.q;
  $("filter-sort").value = state.sort;
  $("actress-chip-name").textContent = state.actress;
  $("actress-chip-row").classList.toggle("d-none", !state.actress);
  const known = cause(state.cause);
  $("cause-chip-name").textContent = known ? known.title : state.cause;
  $("cause-chip-row").classList.toggle("d-none", !state.cause);
  markStatCard(state.status);
}

/** A new filter: back to page 1, into the URL, and the table reloads. */
export function applyFilters(changes) {
  Object.assign(state, changes, { page: 1 });
  syncFilterControls();
  writeUrl();
  reloadQueue();
}

/** `onAction(name, item)` for the rows' buttons (`details` included). */
export function wireQueue({ onAction }) {
  const query = () => $("filter-q").value.slice(0, SEARCH_MAX_LENGTH);
  $("filter-status").addEventListener("change", (e) => applyFilters({ status: e.target.value }));
  $("filter-sort").addEventListener("change", (e) => applyFilters({ sort: e.target.value }));
  const search = debounce((value) => {
    if (value !== state.q) applyFilters({ q: value });
  }, SEARCH_DEBOUNCE_MS);
  $("filter-q").addEventListener("input", () => search(query()));
  $("queue-filters").addEventListener("submit", (e) => {
    e.preventDefault();
    applyFilters({ q: query() });
  });
  $("filter-clear").addEventListener("click", () => applyFilters({ status: "", q: "", actress: "", cause: "", sort: defaultSort() }));
  $("actress-chip-clear").addEventListener("click", () => applyFilters({ actress: "" }));
  $("cause-chip-clear").addEventListener("click", () => applyFilters({ cause: "" }));
  $("pager").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-page]");
    if (button && !button.disabled) setPage(Number(button.dataset.page));
  });
  $("queue-body").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-action]");
    if (!button) return;
    const item = shown.get(Number(button.dataset.id));
    if (item) onAction(button.dataset.action, item);
  });
  $("queue-body").addEventListener("click", (e) => {
    // a click elsewhere on a row opens its details (not on a control, not a text selection)
    const row = e.target.closest("tr[data-id]");
    if (!row || e.target.closest("button, a, input, label, select, .select-cell") || String(window.getSelection() || "")) return;
    const item = shown.get(Number(row.dataset.id));
    if (item) onAction("details", item);
  });
}
