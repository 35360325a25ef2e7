/* Queue statistics: one card per status, errors split into the two kinds of trouble (needs you,
 * retrying), each a filter of the queue; the chart and the top actresses (a click filters by
 * her). */
import { api } from "./api.js";
import { $, el, fmtNumber, svg } from "./dom.js";
import { statuses, troubles } from "./meta.js";
import { TOP_ACTRESSES } from "./settings.js";

/** The cards after Total, in order: the statuses but error, then the two kinds of error. */
const cardEntries = () => [...statuses().filter((s) => s.name !== "error"), ...troubles()];

let lastStats = null;
let lastKey = "";

/** The numbers of the last load (null before the first). */
export const currentStats = () => lastStats;

export function invalidateStats() {
  lastKey = "";
}

/** One card per status after the Total card, in the service's order. */
export function buildStatCards() {
  const cards = cardEntries().map(({ name, label }) => el("div", { className: "col" },
    el("button", {
      className: `stat-card stat-${name} w-100`,
      attrs: { type: "button", title: `Show the items with status “${label}”` },
      data: { filter: name },
    },
    el("span", { className: "stat-label", text: label }),
    el("span", { className: "stat-value", text: "–", attrs: { id: `stat-${name}` }, data: { value: "" } }))));
  $("stats").append(...cards);
}

let onIgnoredCount = () => {};

/** `onFilter(status)` when a card is clicked, `onActress(name)` for a top actress,
 * `onIgnored(count)` with the number of ignored files. */
export function wireStats({ onFilter, onActress, onIgnored }) {
  onIgnoredCount = onIgnored || onIgnoredCount;
  $("stats").addEventListener("click", (e) => {
    const card = e.target.closest(".stat-card");
    if (card) onFilter(card.dataset.filter);
  });
  $("actresses").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-actress]");
    if (button) onActress(button.dataset.actress);
  });
}

/** Marks the card of the status the queue is filtered by. */
export function markStatCard(status) {
  for (const card of document.querySelectorAll(".stat-card")) {
    card.setAttribute("aria-pressed", String(card.dataset.filter === status && !!status));
  }
}

export async function loadStats() {
  const stats = await api(`/api/stats?top=${TOP_ACTRESSES}`);
  lastStats = stats;
  const key = JSON.stringify(stats);
  if (key === lastKey) return;
  lastKey = key;
  renderStats(stats);
}

function renderStats(stats) {
  for (const name of ["total", ...cardEntries().map((s) => s.name)]) {
    const node = $(`stat-${name}`);
    if (!node) continue;
    node.textContent = fmtNumber(stats[name]);
    node.dataset.value = String(stats[name]);
  }
  const retryAll = $("act-retry-errors");
  retryAll.textContent = stats.retrying ? `Retry now (${fmtNumber(stats.retrying)})` : "Retry now";
  onIgnoredCount(stats.ignored || 0);
  renderChart(stats);
  renderActresses(stats.by_actress || {});
}

function renderChart(stats) {
  const rowHeight = 26;
  const width = 270;
  const labelWidth = 74;
  const valueWidth = 78;
  const barWidth = width - labelWidth - valueWidth;
  const rows = cardEntries();
  const total = stats.total || 0;
  const max = Math.max(1, ...rows.map((s) => stats[s.name] || 0));
  const chart = svg("svg", {
    class: "chart", viewBox: `0 0 ${width} ${rowHeight * rows.length}`, role: "img",
    "aria-labelledby": "chart-title", preserveAspectRatio: "xMinYMin meet",
  });
  const summary = rows.map((s) => `${s.label} ${stats[s.name] || 0}`).join(", ");
  chart.append(svg("title", { id: "chart-title" }, `Items per status: ${summary}`));
  rows.forEach(({ name, label }, index) => {
    const count = stats[name] || 0;
    const y = index * rowHeight;
    const w = count ? Math.max(2, (count / max) * barWidth) : 0;
    const pct = total ? ` (${((count / total) * 100).toFixed(count / total < 0.1 ? 1 : 0)}%)` : "";
    chart.append(
      svg("text", { x: 0, y: y + 17 }, label),
      svg("rect", { class: "track", x: labelWidth, y: y + 5, width: barWidth, height: 16, rx: 3 }),
      svg("rect", { class: `bar-${name}`, x: labelWidth, y: y + 5, width: w.toFixed(1), height: 16, rx: 3 }),
      svg("text", { x: labelWidth + barWidth + 6, y: y + 17 }, `${fmtNumber(count)}${pct}`),
    );
  });
  $("chart-body").replaceChildren(chart);
}

function renderActresses(byActress) {
  const entries = Object.entries(byActress);
  $("actresses-empty").classList.toggle("d-none", entries.length > 0);
  $("actresses").replaceChildren(...entries.map(([name, count]) => el("li", {
    className: "list-group-item d-flex align-items-center gap-2 py-1",
  },
  el("button", {
    className: "btn btn-link btn-sm p-0 text-start text-truncate me-auto actress-link",
    text: name, attrs: { type: "button", title: `Show the items of ${name}` }, data: { actress: name },
  }),
  el("span", { className: "badge text-bg-secondary rounded-pill", text: fmtNumber(count) }))));
}
