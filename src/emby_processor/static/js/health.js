/* The Health panel and the header's badges: overall status, workers paused, each worker's state,
 * the database, and the checks (problems first, the good ones folded away). */
import { api } from "./api.js";
import { $, el, fmtBytes } from "./dom.js";

const WORKER_BADGE = {
  running: "text-bg-success", idle: "text-bg-secondary", paused: "text-bg-warning",
  starting: "text-bg-info", stalled: "text-bg-danger", stopped: "text-bg-danger", crashed: "text-bg-danger",
};
const OVERALL_BADGE = { healthy: "text-bg-success", degraded: "text-bg-warning", unhealthy: "text-bg-danger" };
const CHECK_ICON = { ok: "✓", warning: "!", error: "✕" };

let lastKey = "";
let paused = false;

/** Whether the workers were paused at the last look. */
export const isPaused = () => paused;

/** The next load redraws even if nothing changed (after an action, on "Refresh all"). */
export function invalidateHealth() {
  lastKey = "";
}

export async function loadHealth() {
  const health = await api("/api/health");
  const key = JSON.stringify({ ...health, uptime: null, uptime_seconds: null, checked_at: null, worker_details: null });
  $("health-meta").textContent = `up ${health.uptime || "?"} · v${health.version || "?"}`;
  if (key === lastKey) return;
  lastKey = key;
  renderHealth(health);
}

function renderHeader(health) {
  const overall = $("overall-status");
  overall.textContent = health.status || "unknown";
  overall.className = `badge ${OVERALL_BADGE[health.status] || "text-bg-secondary"}`;
  paused = Boolean(health.paused);
  $("paused-badge").classList.toggle("d-none", !paused);
  const pauseButton = $("act-pause");
  pauseButton.textContent = paused ? "Resume workers" : "Pause workers";
  pauseButton.dataset.paused = String(paused);
  pauseButton.className = `btn btn-sm ${paused ? "btn-warning" : "btn-outline-warning"}`;
}

function workersView(health) {
  const workers = el("div", { className: "workers mb-2", attrs: { id: "health-workers" } });
  const details = health.worker_details || {};
  for (const [name, stateName] of Object.entries(health.workers || {})) {
    const info = details[name] || {};
    const hints = [];
    if (info.message) hints.push(info.message);
    if (typeof info.processed === "number") hints.push(`processed ${info.processed}, failed ${info.failed || 0}`);
    if (typeof info.beat_age_seconds === "number") hints.push(`last heartbeat ${info.beat_age_seconds}s ago`);
    workers.append(el("div", { className: "d-flex align-items-center gap-1", attrs: { title: hints.join(" · ") || null } },
      el("span", { className: "text-truncate", text: name }),
      el("span", { className: `badge ms-auto ${WORKER_BADGE[stateName] || "text-bg-secondary"}`, text: stateName })));
  }
  return [el("h3", { className: "h6 small text-body-secondary text-uppercase mb-1", text: "Workers" }), workers];
}

function databaseView(health) {
  const connected = health.database === "connected";
  const text = connected ? `connected · ${fmtBytes(health.database_size_bytes)}` : String(health.database || "unknown");
  return el("p", { className: "mb-2" },
    el("span", { className: "fw-semibold", text: "Database: " }),
    el("span", { className: connected ? "" : "text-danger-emphasis", text }));
}

const checkRow = ([name, check]) => el("div", { className: `check check-${check.status}`, data: { check: name } },
  el("span", { className: "check-icon", attrs: { "aria-hidden": "true" }, text: CHECK_ICON[check.status] || "?" }),
  el("span", { className: "visually-hidden", text: `${check.status}: ` }),
  el("span", { className: "check-name", text: name }), " ",
  el("span", { className: "check-msg", text: check.message || "" }));

/** The media server is always in view (server, version, key accepted); problems next, errors
 * first; the remaining good checks fold away. */
function checksView(health) {
  const parts = [];
  const checks = Object.entries(health.checks || {});
  const emby = checks.find(([name]) => name === "emby");
  if (emby && emby[1].status === "ok") parts.push(checkRow(emby));
  const problems = checks.filter(([, c]) => c.status !== "ok")
    .sort((a, b) => (a[1].status === "error" ? 0 : 1) - (b[1].status === "error" ? 0 : 1));
  if (problems.length) {
    parts.push(el("h3", { className: "h6 small text-body-secondary text-uppercase mt-2 mb-1", text: "Needs attention" }));
    for (const entry of problems) parts.push(checkRow(entry));
  }
  const fine = checks.filter(([name, c]) => c.status === "ok" && name !== "emby");
  if (fine.length) {
    const box = el("details", { className: "mt-2", attrs: { id: "health-ok-checks" } },
      el("summary", { text: `${problems.length ? "" : "All "}${fine.length}${problems.length ? " other" : ""} check${fine.length === 1 ? "" : "s"} OK` }));
    for (const entry of fine) box.append(checkRow(entry));
    parts.push(box);
  }
  return parts;
}

function renderHealth(health) {
  renderHeader(health);
  $("health-body").replaceChildren(...workersView(health), databaseView(health), ...checksView(health));
}
