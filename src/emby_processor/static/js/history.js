/* History (GET /api/history): items per hour (24 h) or day (7 d, 30 d), stacked by outcome
 * (filed, needs you, retrying), the totals, the median time of each stage, the backlog with an
 * ETA and when the last item was filed. Drawn as SVG here, no chart library. The answer comes
 * from counters the service keeps as it goes, so asking each poll cycle costs next to nothing;
 * the chart is redrawn only when a figure changed, the relative times each cycle. */
import { api } from "./api.js";
import { $, el, fmtNumber, fmtRelative, plural, svg } from "./dom.js";
import { stageLabel } from "./meta.js";

const RANGES = { "24h": "the last 24 hours", "7d": "the last 7 days", "30d": "the last 30 days" };
/** the outcomes in stack order (bottom first) and the words for them */
const OUTCOMES = [["completed", "Filed"], ["needs_attention", "Needs you"], ["retrying", "Retrying"]];
const STORAGE_KEY = "emby-processor.history-range";

let range = "24h";
let lastKey = "";
let last = null;

export function invalidateHistory() {
  lastKey = "";
}

function storedRange() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value in RANGES ? value : "24h";
  } catch {
    return "24h"; // private mode
  }
}

export async function loadHistory() {
  const offset = Math.max(-720, Math.min(840, -new Date().getTimezoneOffset()));
  const data = await api(`/api/history?range=${range}&utc_offset_minutes=${offset}`);
  if (data.range !== range) return; // the switch moved while this was on its way
  last = data;
  const { generated_at: _, backlog, ...figures } = data;
  const key = JSON.stringify([figures, backlog.total, backlog.eta_seconds === null]);
  if (key !== lastKey) {
    lastKey = key;
    renderChart(data);
    renderStages(data.stages);
  }
  renderNow(data);
}

/** "2 ms", "0.9 s", "4 min", "1.5 h" */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function bucketLabel(start, unit, short = false) {
  const date = new Date(start);
  if (unit === "hour") return date.toLocaleTimeString(undefined, { hour: "numeric", minute: short ? undefined : "2-digit" });
  return short ? date.toLocaleDateString(undefined, { day: "numeric", month: "short" })
    : date.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" });
}

/** The time axis under the bars, as text (an SVG stretched to the width would stretch it too). */
function ticks(data, slot, width) {
  const buckets = data.buckets || [];
  const every = data.unit === "hour" ? 6 : data.range === "7d" ? 1 : 5;
  const out = [];
  buckets.forEach((bucket, n) => {
    if ((buckets.length - 1 - n) % every) return;
    const centre = ((n + 0.5) * slot * 100) / width;
    out.push(el("span", {
      className: "tick", text: bucketLabel(bucket.start, data.unit, true),
      data: { at: centre.toFixed(2) },
    }));
  });
  return out;
}

function renderChart(data) {
  const width = 600;
  const height = 100;
  const axis = 1;
  const top = 4;
  const buckets = data.buckets || [];
  const sums = buckets.map((b) => OUTCOMES.reduce((n, [key]) => n + (b[key] || 0), 0));
  const max = Math.max(1, ...sums);
  const slot = width / Math.max(1, buckets.length);
  const gap = Math.min(4, slot * 0.2);
  const scale = (height - axis - top) / max;
  const totals = data.totals || {};
  const summary = OUTCOMES.map(([key, label]) => `${label.toLowerCase()} ${fmtNumber(totals[key] || 0)}`).join(", ");
  const chart = svg("svg", {
    class: "history-chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-labelledby": "history-chart-title", preserveAspectRatio: "none",
  });
  chart.append(svg("title", { id: "history-chart-title" },
    `Per ${data.unit} over ${RANGES[data.range]}: ${summary}`));
  chart.append(svg("line", { class: "baseline", x1: 0, x2: width, y1: height - axis, y2: height - axis }));
  buckets.forEach((bucket, n) => {
    let y = height - axis;
    const x = n * slot + gap / 2;
    const label = bucketLabel(bucket.start, data.unit);
    const bar = svg("g", { class: "bucket" });
    bar.append(svg("title", {}, `${label}: ${OUTCOMES.map(([key, name]) => `${name} ${fmtNumber(bucket[key] || 0)}`).join(", ")}`));
    bar.append(svg("rect", { class: "hit", x: n * slot, y: 0, width: slot, height: height - axis }));
    for (const [key] of OUTCOMES) {
      const h = (bucket[key] || 0) * scale;
      if (!h) continue;
      y -= h;
      bar.append(svg("rect", { class: `seg-${key}`, x: x.toFixed(1), y: y.toFixed(1), width: (slot - gap).toFixed(1), height: Math.max(h, 1).toFixed(1) }));
    }
    chart.append(bar);
  });
  const axisLabels = ticks(data, slot, width);
  $("history-chart").replaceChildren(
    el("span", { className: "history-max", text: `${fmtNumber(max)} per ${data.unit}` }), chart,
    el("div", { className: "history-ticks", attrs: { "aria-hidden": "true" } }, ...axisLabels));
  // positions through CSSOM (the page's CSP allows no inline style attributes)
  for (const tick of axisLabels) tick.style.left = `${tick.dataset.at}%`;
  $("history-legend").replaceChildren(...OUTCOMES.map(([key, label]) => el("li", { className: `legend-${key}` },
    el("span", { className: "swatch", attrs: { "aria-hidden": "true" } }),
    `${label} `, el("strong", { text: fmtNumber(totals[key] || 0), data: { outcome: key } }))));
}

function renderStages(stages) {
  $("history-stages").replaceChildren(...(stages || []).map((s) => el("li", { data: { stage: s.stage } },
    el("span", { className: "text-body-secondary", text: s.stage === "total" ? "Found to filed" : stageLabel(s.stage) }),
    " ", el("strong", { text: fmtDuration(s.median_ms), attrs: { title: `median of ${plural(s.count, "step")}` } }))));
}

/** The lines that age by themselves: the last item filed, the backlog and its ETA. */
function renderNow(data) {
  $("history-last").textContent = data.last_completed_at
    ? `Last item filed ${fmtRelative(data.last_completed_at)}` : "Nothing filed yet";
  const backlog = data.backlog;
  let text = backlog.total ? `${plural(backlog.total, "item")} to do` : "Nothing waiting";
  if (backlog.total && backlog.eta_at) {
    text += `, done ${fmtRelative(backlog.eta_at)} at ${fmtNumber(Math.round(backlog.rate_per_hour))} an hour`;
  } else if (backlog.total) {
    text += ", nothing filed in the last hour";
  }
  $("history-backlog").textContent = text;
}

/** The 24 h / 7 d / 30 d switch (`onChange` asks for a new load). */
export function wireHistory({ onChange }) {
  range = storedRange();
  const box = $("history-range");
  const current = box.querySelector(`input[value="${range}"]`);
  if (current) current.checked = true;
  box.addEventListener("change", (e) => {
    if (!(e.target.value in RANGES)) return;
    range = e.target.value;
    try {
      localStorage.setItem(STORAGE_KEY, range);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    invalidateHistory();
    onChange();
  });
}

/** The last answer (null before the first), for tests and other panels. */
export const currentHistory = () => last;
