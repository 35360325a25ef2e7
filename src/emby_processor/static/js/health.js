/* The Health panel and the header's badges: overall status (a button: why, in a dialog), workers
 * paused, each worker's state and what it is doing, the database, and the checks (what sets the
 * status first, then warnings, acknowledged ones and the good ones folded away). */
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
let current = null;
const listeners = [];

/** Whether the workers were paused at the last look. */
export const isPaused = () => paused;

/** The last health report (null before the first). */
export const currentHealth = () => current;

/** `fn(report)` after each new report (the health dialog follows it while open). */
export function onHealth(fn) {
  listeners.push(fn);
}

/** The next load redraws even if nothing changed (after an action, on "Refresh all"). */
export function invalidateHealth() {
  lastKey = "";
}

export async function loadHealth() {
  showHealth(await api("/api/health"));
}

/** Draws a report (from a poll, or the answer to an acknowledgement). */
export function showHealth(health) {
  current = health;
  const doing = Object.fromEntries(Object.entries(health.worker_details || {}).map(([k, v]) => [k, v.doing]));
  const key = JSON.stringify({ ...health, uptime: null, uptime_seconds: null, checked_at: null, worker_details: doing });
  $("health-meta").textContent = `up ${health.uptime || "?"} · v${health.version || "?"}`;
  if (key === lastKey) return;
  lastKey = key;
  renderHealth(health);
  for (const fn of listeners) fn(health);
}

/** How many checks are failing without setting the status, and not acknowledged. */
export function openWarnings(health) {
  const setting = new Set((health.reasons || []).map((r) => r.check));
  return Object.entries(health.checks || {}).filter(([name, c]) => c.status !== "ok" && !c.acknowledged && !setting.has(name));
}

function renderHeader(health) {
  const overall = $("overall-status");
  const warnings = health.status === "healthy" ? openWarnings(health).length : 0;
  overall.textContent = health.status || "unknown";
  if (warnings) overall.append(el("span", { className: "fw-normal", text: ` · ${warnings} warning${warnings === 1 ? "" : "s"}` }));
  overall.className = `badge border-0 ${OVERALL_BADGE[health.status] || "text-bg-secondary"}`;
  paused = Boolean(health.paused);
  $("paused-badge").classList.toggle("d-none", !paused);
  const pauseButton = $("act-pause");
  pauseButton.textContent = paused ? "Resume workers" : "Pause workers";
  pauseButton.dataset.paused = String(paused);
  pauseButton.className = `btn btn-sm ${paused ? "btn-warning" : "btn-outline-warning"}`;
}

function workersView(health) {
  const workers = el("ul", { className: "workers list-unstyled mb-2", attrs: { id: "health-workers" } });
  const details = health.worker_details || {};
  for (const [name, stateName] of Object.entries(health.workers || {})) {
    const info = details[name] || {};
    const hints = [];
    if (typeof info.processed === "number") hints.push(`processed ${info.processed}, failed ${info.failed || 0}`);
    if (typeof info.beat_age_seconds === "number") hints.push(`last heartbeat ${info.beat_age_seconds}s ago`);
    workers.append(el("li", { className: "worker", data: { worker: name }, attrs: { title: hints.join(" · ") || null } },
      el("div", { className: "d-flex align-items-center gap-1" },
        el("span", { className: "text-truncate fw-semibold", text: name }),
        el("span", { className: `badge ms-auto ${WORKER_BADGE[stateName] || "text-bg-secondary"}`, text: stateName })),
      info.doing ? el("div", { className: "worker-doing small text-body-secondary text-truncate", text: info.doing }) : null));
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

/** The media server is always in view (server, version, key accepted); what sets the status
 * next, then the other problems; acknowledged warnings and the good checks fold away. */
function checksView(health) {
  const parts = [];
  const checks = Object.entries(health.checks || {});
  const setting = new Set((health.reasons || []).map((r) => r.check));
  const emby = checks.find(([name]) => name === "emby");
  if (emby && emby[1].status === "ok") parts.push(checkRow(emby));
  const problems = checks.filter(([name, c]) => c.status !== "ok" && !c.acknowledged)
    .sort((a, b) => (setting.has(a[0]) ? 0 : 1) - (setting.has(b[0]) ? 0 : 1));
  if (problems.length) {
    parts.push(el("h3", { className: "h6 small text-body-secondary text-uppercase mt-2 mb-1", text: "Needs attention" }));
    for (const entry of problems) parts.push(checkRow(entry));
  }
  const known = checks.filter(([, c]) => c.status !== "ok" && c.acknowledged);
  if (known.length) {
    const box = el("details", { className: "mt-2", attrs: { id: "health-acknowledged" } },
      el("summary", { text: `${known.length} acknowledged warning${known.length === 1 ? "" : "s"}` }));
    for (const entry of known) box.append(checkRow(entry));
    parts.push(box);
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
