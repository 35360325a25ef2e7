/* What the user looks at, kept in the URL (history.replaceState) so a reload or a shared link shows
 * the same view: status (or kind of trouble) and cause filters, search, sort, page, actress, and
 * the live log's level and item. */
import { $ } from "./dom.js";
import { defaultSort, isCause, isSort, isStatusFilter } from "./meta.js";
import { SEARCH_MAX_LENGTH } from "./settings.js";

export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"];
const URL_KEYS = ["status", "cause", "q", "sort", "page", "actress", "log_level", "log_item"];

export const state = {
  status: "",
  cause: "",
  q: "",
  sort: "newest",
  page: 1,
  actress: "",
  logLevel: "",
  logItem: null,
};

/** Reads the URL into `state` (needs the vocabulary: unknown statuses and sorts are dropped). */
export function readUrl() {
  const p = new URLSearchParams(window.location.search);
  state.status = isStatusFilter(p.get("status")) ? p.get("status") : "";
  state.cause = isCause(p.get("cause")) ? p.get("cause") : "";
  state.q = (p.get("q") || "").slice(0, SEARCH_MAX_LENGTH);
  state.sort = isSort(p.get("sort")) ? p.get("sort") : defaultSort();
  state.page = Math.max(1, parseInt(p.get("page"), 10) || 1);
  state.actress = (p.get("actress") || "").slice(0, SEARCH_MAX_LENGTH);
  state.logLevel = LOG_LEVELS.includes(p.get("log_level")) ? p.get("log_level") : "";
  const item = parseInt(p.get("log_item"), 10);
  state.logItem = item > 0 ? item : null;
}

export function writeUrl() {
  const p = new URLSearchParams(window.location.search);
  for (const key of URL_KEYS) p.delete(key);
  if (state.status) p.set("status", state.status);
  if (state.cause) p.set("cause", state.cause);
  if (state.q) p.set("q", state.q);
  if (state.sort !== defaultSort()) p.set("sort", state.sort);
  if (state.page > 1) p.set("page", String(state.page));
  if (state.actress) p.set("actress", state.actress);
  if (state.logLevel) p.set("log_level", state.logLevel);
  if (state.logItem) p.set("log_item", String(state.logItem));
  const query = p.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ""}${window.location.hash}`;
  if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
    history.replaceState(null, "", url);
  }
  updateExportLink();
}

export const isFiltered = () => Boolean(state.status || state.cause || state.q || state.actress);

/** The queue filter as API query parameters (the table, the CSV export). */
export function queueParams() {
  const p = new URLSearchParams();
  if (state.status) p.set("status", state.status);
  if (state.cause) p.set("cause", state.cause);
  if (state.q.trim()) p.set("q", state.q.trim());
  if (state.actress) p.set("actress", state.actress);
  return p;
}

/** The CSV export downloads what the table shows. */
function updateExportLink() {
  const p = queueParams();
  if (state.sort !== defaultSort()) p.set("sort", state.sort);
  const query = p.toString();
  $("act-export").setAttribute("href", `/api/queue/export.csv${query ? `?${query}` : ""}`);
}
