/* The live log: Server-Sent Events from /api/logs, filtered by level and item, drawn once a frame,
 * at most LOG_MAX_LINES kept. Auto-scroll follows new lines until the user scrolls up. A reconnect
 * resumes after the last line shown (no gap, no repeat); a server restart is marked in the view.
 * For people: a text search hides the lines without it, a date line marks each new (local) day,
 * loggers show their last name (the full one on hover), Download saves the lines shown as text,
 * and screen readers hear the error lines only (a live region of its own; the view is no
 * role="log", which would read every line out). */
import { $, debounce, el, fmtLocal, fmtNumber, parseTime } from "./dom.js";
import { LOG_MAX_LINES, POLL_MS } from "./settings.js";
import { state, writeUrl } from "./urlstate.js";

const logs = {
  source: null, lastId: 0, follow: true, queue: [], flushing: false, unseen: 0, justOpened: false, retryTimer: null,
  lastDay: null, search: "",
};
/** error lines kept in the screen readers' live region */
const ALERTS_KEPT = 3;

function setStatus(text, kind) {
  const badge = $("log-status");
  badge.textContent = text;
  badge.className = `badge ${kind}`;
}

/** Whether the stream is down (closed or never opened). */
export const logsDown = () => !logs.source || logs.source.readyState === EventSource.CLOSED;

export function connectLogs(clear = true) {
  clearTimeout(logs.retryTimer);
  if (logs.source) logs.source.close();
  if (clear) {
    $("log-view").replaceChildren();
    logs.lastDay = null;
    logs.queue = [];
    logs.lastId = 0;
    logs.unseen = 0;
    logs.follow = true;
    updateJump();
  }
  const p = new URLSearchParams();
  if (state.logLevel) p.set("level", state.logLevel);
  if (state.logItem) p.set("item_id", String(state.logItem));
  // a reconnect without clearing resumes after the last line shown (no gap, no repeat)
  if (!clear && logs.lastId) p.set("last_event_id", String(logs.lastId));
  const query = p.toString();
  const source = new EventSource(`/api/logs${query ? `?${query}` : ""}`);
  logs.source = source;
  setStatus("connecting", "text-bg-secondary");
  source.addEventListener("open", () => {
    logs.justOpened = true;
    setStatus("live", "text-bg-success");
  });
  source.addEventListener("log", onLogEvent);
  source.addEventListener("error", () => {
    if (logs.source !== source) return;
    if (source.readyState === EventSource.CLOSED) {
      setStatus("disconnected", "text-bg-danger");
      logs.retryTimer = setTimeout(() => connectLogs(false), Math.max(POLL_MS, 3000));
    } else {
      setStatus("reconnecting", "text-bg-warning");
    }
  });
  $("log-item-id").textContent = state.logItem ? String(state.logItem) : "";
  const chip = $("log-item-chip");
  chip.classList.toggle("d-none", !state.logItem);
  chip.classList.toggle("d-inline-flex", !!state.logItem);
}

function onLogEvent(event) {
  let record;
  try {
    record = JSON.parse(event.data);
  } catch (e) {
    return;
  }
  const id = Number(record.id);
  if (id <= logs.lastId) {
    if (!logs.justOpened) return; // already shown
    // ids began again: the server restarted
    logs.queue.push({ separator: "the server restarted; its log starts again here" });
  }
  logs.justOpened = false;
  logs.lastId = id;
  logs.queue.push(record);
  if (logs.queue.length > LOG_MAX_LINES) logs.queue.splice(0, logs.queue.length - LOG_MAX_LINES);
  if (!logs.flushing) {
    logs.flushing = true;
    requestAnimationFrame(flushLogs);
  }
}

/** The plain text of a record, as the download writes it (the full logger name). */
function plainText(record, level) {
  const item = record.item_id ? ` #${record.item_id}` : "";
  return `${record.time || ""} ${level} ${record.logger || ""}${item} ${record.message || ""}`;
}

const shortLogger = (name) => String(name || "").split(".").pop();

function dayMarker(time) {
  const text = time.toLocaleDateString(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
  return el("div", { className: "log-date", text: `— ${text} —`, data: { plain: `--- ${text} ---` } });
}

function logLine(record) {
  if (record.separator) {
    return el("div", { className: "log-line log-sep", text: `— ${record.separator} —`, data: { plain: `--- ${record.separator} ---` } });
  }
  const level = String(record.level || "INFO").toUpperCase();
  const time = parseTime(record.time);
  const plain = plainText(record, level);
  const line = el("div", { className: `log-line log-${level}`, data: { id: record.id, level, plain } },
    el("time", { text: time ? time.toLocaleTimeString() : "", attrs: { datetime: record.time, title: time ? `${fmtLocal(record.time, "full")} (${record.time})` : null } }), " ",
    el("span", { className: "log-level", text: level }), " ",
    el("span", { className: "log-logger", text: shortLogger(record.logger), attrs: { title: record.logger || null } }));
  if (record.item_id) {
    line.append(el("button", {
      className: "log-item", text: `#${record.item_id}`,
      attrs: { type: "button", title: `Show item ${record.item_id}` }, data: { item: record.item_id },
    }));
  }
  line.append(" ", el("span", { className: "log-msg", text: record.message || "" }));
  line.hidden = !matches(line);
  return line;
}

const matches = (line) => !logs.search || line.dataset.plain.toLowerCase().includes(logs.search);

/** The records as nodes: a date line first whenever the local day changes. */
function linesOf(batch) {
  const fragment = document.createDocumentFragment();
  for (const record of batch) {
    const time = record.separator ? null : parseTime(record.time);
    const day = time ? time.toDateString() : logs.lastDay;
    if (time && day !== logs.lastDay) fragment.append(dayMarker(time));
    logs.lastDay = day;
    fragment.append(logLine(record));
  }
  return fragment;
}

/** Screen readers hear the error lines, and nothing else of the log. */
function announceErrors(batch) {
  const errors = batch.filter((record) => ["ERROR", "CRITICAL"].includes(String(record.level).toUpperCase()));
  if (!errors.length) return;
  const region = $("log-alerts");
  for (const record of errors) {
    const item = record.item_id ? ` (item ${record.item_id})` : "";
    region.append(el("p", { text: `Log error${item}: ${record.message || ""}` }));
  }
  while (region.childElementCount > ALERTS_KEPT) region.firstElementChild.remove();
}

/** Hides the lines without the search text, and the date lines with none shown under them. */
function applySearch() {
  let shown = 0;
  let total = 0;
  let marker = null;
  for (const node of $("log-view").children) {
    if (node.classList.contains("log-date")) {
      marker = node;
      marker.hidden = true;
      continue;
    }
    node.hidden = !matches(node);
    total += 1;
    if (node.hidden) continue;
    shown += 1;
    if (marker) marker.hidden = false;
  }
  $("log-search-info").textContent = logs.search ? `${fmtNumber(shown)} of ${fmtNumber(total)} lines` : "";
}

/** The lines shown (and their date lines) as a .txt file. */
function download() {
  const text = [...$("log-view").children]
    .filter((node) => !node.hidden && node.dataset.plain !== undefined)
    .map((node) => node.dataset.plain).join("\n");
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  const url = URL.createObjectURL(new Blob([`${text}\n`], { type: "text/plain;charset=utf-8" }));
  const link = el("a", { attrs: { href: url, download: `emby-processor-log-${stamp}.txt` } });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function flushLogs() {
  logs.flushing = false;
  const batch = logs.queue;
  logs.queue = [];
  if (!batch.length) return;
  const view = $("log-view");
  view.append(linesOf(batch));
  announceErrors(batch);
  if (logs.search) applySearch();
  let extra = view.childElementCount - LOG_MAX_LINES;
  while (extra > 0) {
    view.firstElementChild.remove();
    extra -= 1;
  }
  if (logs.follow) {
    view.scrollTop = view.scrollHeight;
  } else {
    logs.unseen += batch.length;
  }
  updateJump();
}

function updateJump() {
  const jump = $("log-jump");
  jump.classList.toggle("d-none", logs.follow);
  jump.textContent = logs.unseen ? `${fmtNumber(logs.unseen)} new line${logs.unseen === 1 ? "" : "s"} ↓` : "Back to the newest ↓";
  $("log-footer").textContent = logs.follow
    ? "Auto-scroll follows new lines; scroll up to pause it, back to the bottom to resume."
    : "Auto-scroll paused while you read; scroll to the bottom to resume.";
  $("log-view").dataset.follow = String(logs.follow);
}

function onScroll() {
  const view = $("log-view");
  const atBottom = view.scrollHeight - view.scrollTop - view.clientHeight < 8;
  if (atBottom !== logs.follow) {
    logs.follow = atBottom;
    if (atBottom) logs.unseen = 0;
    updateJump();
  }
}

/** Shows the lines of one item (null: every item). */
export function showItemLogs(id) {
  state.logItem = id;
  writeUrl();
  connectLogs(true);
}

export function focusLogs() {
  $("logs-card").scrollIntoView({ block: "start" });
  $("log-view").focus({ preventScroll: true });
}

/** `onItem(id)` when an item's #id in a line is clicked. */
export function wireLogs({ onItem }) {
  const view = $("log-view");
  $("log-level").value = state.logLevel;
  view.addEventListener("scroll", onScroll, { passive: true });
  view.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-item]");
    if (button) onItem(Number(button.dataset.item));
  });
  $("log-jump").addEventListener("click", () => {
    view.scrollTop = view.scrollHeight;
    logs.follow = true;
    logs.unseen = 0;
    updateJump();
  });
  $("log-level").addEventListener("change", (e) => {
    state.logLevel = e.target.value;
    writeUrl();
    connectLogs(true);
  });
  $("log-item-clear").addEventListener("click", () => showItemLogs(null));
  const search = debounce((value) => {
    logs.search = value.trim().toLowerCase();
    applySearch();
  }, 150);
  $("log-search").addEventListener("input", (e) => search(e.target.value));
  $("log-download").addEventListener("click", download);
  $("log-clear").addEventListener("click", () => {
    view.replaceChildren();
    logs.lastDay = null;
    logs.unseen = 0;
    logs.follow = true;
    updateJump();
  });
}
