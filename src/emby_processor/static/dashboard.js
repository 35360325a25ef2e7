/* emby-processor dashboard: plain JavaScript, no build step, no framework.
 *
 * Rules this file keeps:
 * - Every piece of data (filenames, titles, actresses, errors, log lines) reaches the page through
 *   textContent / createElement / setAttribute on harmless attributes: never innerHTML.
 * - Every change is a fetch() with the CSRF header (X-Requested-With) and, when the user saved one,
 *   the API token; a 401 asks for the token and tries again.
 * - Health, stats and the queue are polled every 5 s (override with ?poll=SECONDS, used by the
 *   tests); polling stops while the tab is hidden and backs off while the server is unreachable.
 * - The filter, search, sort, page and log filters live in the URL (history.replaceState).
 */
(() => {
  "use strict";

  // ---------------------------------------------------------------------------------------------
  // settings
  const initialParams = new URLSearchParams(window.location.search);
  const POLL_MS = clamp(Number(initialParams.get("poll")) * 1000 || 5000, 200, 600000);
  const MAX_BACKOFF_MS = Math.max(30000, POLL_MS);
  const REQUEST_TIMEOUT_MS = 15000;
  const PAGE_SIZE = 50;
  const TOP_ACTRESSES = 10;
  const LOG_MAX_LINES = 1000;
  const SEARCH_DEBOUNCE_MS = 300;
  const TOKEN_KEY = "emby-processor.apiToken";
  const THEME_KEY = "emby-processor.theme";
  const STATUSES = ["pending", "processing", "completed", "error"];
  const STATUS_LABEL = { pending: "Pending", processing: "Processing", completed: "Completed", error: "Error" };
  const URL_KEYS = ["status", "q", "sort", "page", "actress", "log_level", "log_item"];

  const $ = (id) => document.getElementById(id);

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  /** createElement with text and attributes; children may be nodes or strings (as text). */
  function el(tag, options = {}, ...children) {
    const node = document.createElement(tag);
    if (options.className) node.className = options.className;
    if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
    if (options.attrs) {
      for (const [name, value] of Object.entries(options.attrs)) {
        if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
      }
    }
    if (options.data) {
      for (const [name, value] of Object.entries(options.data)) node.dataset[name] = String(value);
    }
    for (const child of children) {
      if (child !== undefined && child !== null && child !== false) node.append(child);
    }
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  const numberFormat = new Intl.NumberFormat();
  const fmtNumber = (n) => (typeof n === "number" ? numberFormat.format(n) : "–");

  function parseTime(iso) {
    if (!iso) return null;
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  function fmtLocal(iso, style = "short") {
    const date = parseTime(iso);
    if (!date) return "–";
    return style === "full"
      ? date.toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" })
      : date.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
  }

  function fmtRelative(iso) {
    const date = parseTime(iso);
    if (!date) return "";
    const seconds = Math.round((date.getTime() - Date.now()) / 1000);
    const abs = Math.abs(seconds);
    const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
    if (abs < 60) return rtf.format(seconds, "second");
    if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
    if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
    return rtf.format(Math.round(seconds / 86400), "day");
  }

  /** <time> with local time as text and the full timestamp on hover. */
  function timeNode(iso, style = "short") {
    const date = parseTime(iso);
    if (!date) return el("span", { className: "text-body-secondary", text: "–" });
    return el("time", {
      text: fmtLocal(iso, style),
      attrs: { datetime: iso, title: `${fmtLocal(iso, "full")} (${iso})` },
    });
  }

  function fmtBytes(bytes) {
    if (typeof bytes !== "number") return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
  }

  function basename(path) {
    if (!path) return "";
    const parts = String(path).split(/[\\/]/);
    return parts[parts.length - 1] || String(path);
  }

  function statusBadge(status) {
    const known = STATUSES.includes(status);
    return el("span", {
      className: `badge ${known ? `badge-${status}` : "text-bg-secondary"}`,
      text: known ? STATUS_LABEL[status] : String(status || "?"),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // state and URL
  const state = {
    status: "",
    q: "",
    sort: "newest",
    page: 1,
    actress: "",
    logLevel: "",
    logItem: null,
  };

  function readUrl() {
    const p = new URLSearchParams(window.location.search);
    state.status = STATUSES.includes(p.get("status")) ? p.get("status") : "";
    state.q = (p.get("q") || "").slice(0, 200);
    state.sort = ["newest", "oldest", "updated"].includes(p.get("sort")) ? p.get("sort") : "newest";
    state.page = Math.max(1, parseInt(p.get("page"), 10) || 1);
    state.actress = (p.get("actress") || "").slice(0, 200);
    state.logLevel = ["DEBUG", "INFO", "WARNING", "ERROR"].includes(p.get("log_level")) ? p.get("log_level") : "";
    const item = parseInt(p.get("log_item"), 10);
    state.logItem = item > 0 ? item : null;
  }

  function writeUrl() {
    const p = new URLSearchParams(window.location.search);
    for (const key of URL_KEYS) p.delete(key);
    if (state.status) p.set("status", state.status);
    if (state.q) p.set("q", state.q);
    if (state.sort !== "newest") p.set("sort", state.sort);
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

  function queueParams() {
    const p = new URLSearchParams();
    if (state.status) p.set("status", state.status);
    if (state.q.trim()) p.set("q", state.q.trim());
    if (state.actress) p.set("actress", state.actress);
    return p;
  }

  function updateExportLink() {
    const p = queueParams();
    if (state.sort !== "newest") p.set("sort", state.sort);
    const query = p.toString();
    $("act-export").setAttribute("href", `/api/queue/export.csv${query ? `?${query}` : ""}`);
  }

  // ---------------------------------------------------------------------------------------------
  // talking to the API
  class HttpError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  class Unreachable extends Error {}

  function getToken() {
    try {
      return localStorage.getItem(TOKEN_KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function setToken(token) {
    try {
      if (token) localStorage.setItem(TOKEN_KEY, token);
      else localStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      /* storage unavailable: the token lives for this request only */
    }
    $("forget-token").classList.toggle("d-none", !token);
  }

  async function api(path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["X-Requested-With"] = "emby-processor";
      headers["Content-Type"] = "application/json";
      const token = getToken();
      if (token) headers.Authorization = `Bearer ${token}`;
    }
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "same-origin",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Unreachable(error && error.message ? error.message : "network error");
    }
    let data = null;
    if ((response.headers.get("content-type") || "").includes("json")) {
      try {
        data = await response.json();
      } catch (e) {
        data = null;
      }
    }
    if (!response.ok) {
      // a reverse proxy answering for a dead backend: the service itself is unreachable
      if (data === null && [502, 503, 504].includes(response.status)) {
        throw new Unreachable(`HTTP ${response.status}`);
      }
      const detail = data && typeof data.detail === "string" ? data.detail : `HTTP ${response.status}`;
      throw new HttpError(response.status, detail);
    }
    return data;
  }

  /** A change: on 401 ask for the API token (once or twice), then try again. */
  async function change(path, { method = "POST", body } = {}) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await api(path, { method, body });
      } catch (error) {
        if (error instanceof HttpError && error.status === 401 && attempt < 2) {
          const token = await askToken(attempt ? "That token was refused. Try again." : error.detail);
          if (!token) throw error;
          setToken(token);
          continue;
        }
        if (error instanceof Unreachable) setReachable(false);
        throw error;
      }
    }
  }

  function describeError(error) {
    if (error instanceof Unreachable) return "the server is unreachable";
    if (error instanceof HttpError) return error.message;
    return String(error && error.message ? error.message : error);
  }

  // ---------------------------------------------------------------------------------------------
  // toasts, confirmation, token prompt
  function toast(message, kind = "success") {
    const urgent = kind === "danger";
    const node = el("div", {
      className: `toast align-items-center border-0 text-bg-${kind}`,
      attrs: { role: urgent ? "alert" : "status", "aria-live": urgent ? "assertive" : "polite", "aria-atomic": "true" },
    });
    const close = el("button", {
      className: `btn-close ${kind === "warning" || kind === "light" ? "" : "btn-close-white"} me-2 m-auto`,
      attrs: { type: "button", "data-bs-dismiss": "toast", "aria-label": "Close" },
    });
    node.append(el("div", { className: "d-flex" }, el("div", { className: "toast-body", text: message }), close));
    $("toasts").append(node);
    node.addEventListener("hidden.bs.toast", () => node.remove());
    window.bootstrap.Toast.getOrCreateInstance(node, { delay: urgent ? 9000 : 4500 }).show();
  }

  const modal = (id) => window.bootstrap.Modal.getOrCreateInstance($(id));

  /** Shows a modal and, when it closes, gives focus back to what had it (keyboard users). */
  function showModal(id) {
    const opener = document.activeElement;
    const key = opener && opener.dataset ? { action: opener.dataset.action, id: opener.dataset.id } : null;
    $(id).addEventListener("hidden.bs.modal", () => {
      if (document.querySelector(".modal.show")) return; // another modal took over
      let target = opener;
      if (!target || !target.isConnected) {
        // the row was redrawn meanwhile: the same button in its new row
        target = key && key.id ? (document.querySelector(
          `button[data-action="${CSS.escape(key.action || "")}"][data-id="${CSS.escape(key.id)}"]`)
          || document.querySelector(`button[data-id="${CSS.escape(key.id)}"]`)) : null;
      }
      if (target && target !== document.body && typeof target.focus === "function") target.focus();
    }, { once: true });
    modal(id).show();
  }

  /** Waits for any open modal to finish hiding, so two never overlap. */
  function whenNoModal() {
    const open = document.querySelector(".modal.show");
    if (!open) return Promise.resolve();
    return new Promise((resolve) => {
      open.addEventListener("hidden.bs.modal", () => resolve(), { once: true });
      window.bootstrap.Modal.getOrCreateInstance(open).hide();
    });
  }

  /** Bootstrap modal confirmation; resolves {ok, days}. */
  async function confirmAction({ title, text, confirmLabel = "Confirm", danger = false, askDays = false }) {
    await whenNoModal();
    $("confirm-title").textContent = title;
    $("confirm-text").textContent = text;
    const ok = $("confirm-ok");
    ok.textContent = confirmLabel;
    ok.className = `btn ${danger ? "btn-danger" : "btn-primary"}`;
    $("confirm-days-group").classList.toggle("d-none", !askDays);
    $("confirm-days").value = "";
    const node = $("confirm-modal");
    return new Promise((resolve) => {
      let result = { ok: false };
      const onSubmit = (event) => {
        event.preventDefault();
        const raw = $("confirm-days").value.trim();
        if (askDays && raw !== "" && !(Number(raw) >= 0)) {
          $("confirm-days").classList.add("is-invalid");
          return;
        }
        result = { ok: true, days: askDays && raw !== "" ? Number(raw) : null };
        modal("confirm-modal").hide();
      };
      const onShown = () => (askDays ? $("confirm-days") : ok).focus();
      $("confirm-form").addEventListener("submit", onSubmit);
      node.addEventListener("shown.bs.modal", onShown, { once: true });
      node.addEventListener("hidden.bs.modal", () => {
        $("confirm-form").removeEventListener("submit", onSubmit);
        $("confirm-days").classList.remove("is-invalid");
        resolve(result);
      }, { once: true });
      showModal("confirm-modal");
    });
  }

  async function askToken(message) {
    await whenNoModal();
    $("token-text").textContent = message || "This server asks for its API token before it changes anything.";
    $("token-input").value = "";
    const node = $("token-modal");
    return new Promise((resolve) => {
      let token = "";
      const onSubmit = (event) => {
        event.preventDefault();
        token = $("token-input").value.trim();
        if (token) modal("token-modal").hide();
      };
      $("token-form").addEventListener("submit", onSubmit);
      node.addEventListener("shown.bs.modal", () => $("token-input").focus(), { once: true });
      node.addEventListener("hidden.bs.modal", () => {
        $("token-form").removeEventListener("submit", onSubmit);
        resolve(token);
      }, { once: true });
      showModal("token-modal");
    });
  }

  // ---------------------------------------------------------------------------------------------
  // health
  const WORKER_BADGE = {
    running: "text-bg-success", idle: "text-bg-secondary", paused: "text-bg-warning",
    starting: "text-bg-info", stalled: "text-bg-danger", stopped: "text-bg-danger", crashed: "text-bg-danger",
  };
  const OVERALL_BADGE = { healthy: "text-bg-success", degraded: "text-bg-warning", unhealthy: "text-bg-danger" };
  const CHECK_ICON = { ok: "✓", warning: "!", error: "✕" };
  let lastHealthKey = "";
  let paused = false;

  async function loadHealth() {
    const health = await api("/api/health");
    const key = JSON.stringify({ ...health, uptime: null, uptime_seconds: null, checked_at: null, worker_details: null });
    renderHealthMeta(health);
    if (key === lastHealthKey) return;
    lastHealthKey = key;
    renderHealth(health);
  }

  function renderHealthMeta(health) {
    $("health-meta").textContent = `up ${health.uptime || "?"} · v${health.version || "?"}`;
  }

  function renderHealth(health) {
    const overall = $("overall-status");
    overall.textContent = health.status || "unknown";
    overall.className = `badge ${OVERALL_BADGE[health.status] || "text-bg-secondary"}`;
    paused = Boolean(health.paused);
    $("paused-badge").classList.toggle("d-none", !paused);
    const pauseButton = $("act-pause");
    pauseButton.textContent = paused ? "Resume workers" : "Pause workers";
    pauseButton.dataset.paused = String(paused);
    pauseButton.className = `btn btn-sm ${paused ? "btn-warning" : "btn-outline-warning"}`;

    const body = $("health-body");
    const parts = [];

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
    parts.push(el("h3", { className: "h6 small text-body-secondary text-uppercase mb-1", text: "Workers" }), workers);

    const db = health.database === "connected"
      ? `connected · ${fmtBytes(health.database_size_bytes)}`
      : String(health.database || "unknown");
    parts.push(el("p", { className: "mb-2" },
      el("span", { className: "fw-semibold", text: "Database: " }),
      el("span", { className: health.database === "connected" ? "" : "text-danger-emphasis", text: db })));

    const checks = Object.entries(health.checks || {});
    const checkRow = ([name, check]) => el("div", {
      className: `check check-${check.status}`, data: { check: name },
    },
    el("span", { className: "check-icon", attrs: { "aria-hidden": "true" }, text: CHECK_ICON[check.status] || "?" }),
    el("span", { className: "visually-hidden", text: `${check.status}: ` }),
    el("span", { className: "check-name", text: name }), " ",
    el("span", { className: "check-msg", text: check.message || "" }));
    // the media server is always in view (server, version, key accepted); problems next, sorted
    // errors first; the remaining good checks fold away
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
    body.replaceChildren(...parts);
  }

  // ---------------------------------------------------------------------------------------------
  // stats, chart, actresses
  let lastStats = null;
  let lastStatsKey = "";

  async function loadStats() {
    const stats = await api(`/api/stats?top=${TOP_ACTRESSES}`);
    lastStats = stats;
    const key = JSON.stringify(stats);
    if (key === lastStatsKey) return;
    lastStatsKey = key;
    renderStats(stats);
  }

  function renderStats(stats) {
    for (const name of ["total", ...STATUSES]) {
      const node = $(`stat-${name}`);
      node.textContent = fmtNumber(stats[name]);
      node.dataset.value = String(stats[name]);
    }
    const retryAll = $("act-retry-errors");
    retryAll.textContent = stats.error ? `Retry all errors (${fmtNumber(stats.error)})` : "Retry all errors";
    renderChart(stats);
    renderActresses(stats.by_actress || {});
  }

  function renderChart(stats) {
    const rowHeight = 26;
    const width = 270;
    const labelWidth = 74;
    const valueWidth = 78;
    const barWidth = width - labelWidth - valueWidth;
    const total = stats.total || 0;
    const max = Math.max(1, ...STATUSES.map((s) => stats[s] || 0));
    const chart = svg("svg", {
      class: "chart", viewBox: `0 0 ${width} ${rowHeight * STATUSES.length}`, role: "img",
      "aria-labelledby": "chart-title", preserveAspectRatio: "xMinYMin meet",
    });
    const summary = STATUSES.map((s) => `${STATUS_LABEL[s]} ${stats[s] || 0}`).join(", ");
    chart.append(svg("title", { id: "chart-title" }, `Items per status: ${summary}`));
    STATUSES.forEach((status, index) => {
      const count = stats[status] || 0;
      const y = index * rowHeight;
      const w = count ? Math.max(2, (count / max) * barWidth) : 0;
      const pct = total ? ` (${((count / total) * 100).toFixed(count / total < 0.1 ? 1 : 0)}%)` : "";
      chart.append(
        svg("text", { x: 0, y: y + 17 }, STATUS_LABEL[status]),
        svg("rect", { class: "track", x: labelWidth, y: y + 5, width: barWidth, height: 16, rx: 3 }),
        svg("rect", { class: `bar-${status}`, x: labelWidth, y: y + 5, width: w.toFixed(1), height: 16, rx: 3 }),
        svg("text", { x: labelWidth + barWidth + 6, y: y + 17 }, `${fmtNumber(count)}${pct}`),
      );
    });
    $("chart-body").replaceChildren(chart);
  }

  function renderActresses(byActress) {
    const list = $("actresses");
    const entries = Object.entries(byActress);
    $("actresses-empty").classList.toggle("d-none", entries.length > 0);
    list.replaceChildren(...entries.map(([name, count]) => el("li", {
      className: "list-group-item d-flex align-items-center gap-2 py-1",
    },
    el("button", {
      className: "btn btn-link btn-sm p-0 text-start text-truncate me-auto actress-link",
      text: name, attrs: { type: "button", title: `Show the items of ${name}` }, data: { actress: name },
    }),
    el("span", { className: "badge text-bg-secondary rounded-pill", text: fmtNumber(count) }))));
  }

  // ---------------------------------------------------------------------------------------------
  // queue table
  let queueSeq = 0;
  let lastQueueKey = "";
  let lastQueue = null;
  const rowVersions = new Map();

  async function loadQueue() {
    const seq = ++queueSeq;
    const p = queueParams();
    p.set("sort", state.sort);
    p.set("page", String(state.page));
    p.set("limit", String(PAGE_SIZE));
    let data;
    try {
      data = await api(`/api/queue?${p}`);
    } catch (error) {
      if (seq !== queueSeq) return;
      if (error instanceof HttpError) {
        const box = $("queue-error");
        box.textContent = `The queue could not be loaded: ${error.message}`;
        box.classList.remove("d-none");
      }
      throw error;
    }
    if (seq !== queueSeq) return; // a newer request (another filter or page) won
    $("queue-error").classList.add("d-none");
    const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
    if (data.total > 0 && state.page > pages) {
      // the page emptied (cleanup, filter): show the last one that has rows
      state.page = pages;
      writeUrl();
      await loadQueue();
      return;
    }
    lastQueue = data;
    const key = JSON.stringify(data);
    if (key === lastQueueKey) return;
    lastQueueKey = key;
    renderQueue(data);
  }

  function renderRow(item) {
    const row = el("tr", { data: { id: item.id, status: item.status } });
    const previous = rowVersions.get(item.id);
    if (previous && previous !== item.updated_at) row.classList.add("row-updated");
    rowVersions.set(item.id, item.updated_at);

    row.append(el("td", { className: "text-end text-body-secondary nowrap", text: item.id }));

    const hint = item.title ? `${item.title}\n${item.file_path}` : item.file_path;
    row.append(el("td", { attrs: { title: hint } },
      el("div", { className: "code", text: item.movie_code || "—" }),
      el("div", { className: "file text-truncate", text: basename(item.file_path) })));

    row.append(el("td", { className: "actress-cell", text: item.actress || "—" }));

    const status = el("td", { className: "status-cell" }, statusBadge(item.status));
    if (item.status !== "completed" && item.stage) {
      status.append(" ", el("span", { className: "small text-body-secondary", text: item.stage }));
    }
    if (item.status === "error" && item.error_message) {
      status.append(el("div", { className: "err text-truncate", text: item.error_message, attrs: { title: item.error_message } }));
    }
    row.append(status);

    row.append(el("td", { className: "small nowrap", text: item.emby_id || "—" }));
    row.append(el("td", { className: "small nowrap" }, timeNode(item.created_at)));

    const actions = el("td", { className: "actions text-end" });
    if (item.status === "error") {
      actions.append(el("button", {
        className: "btn btn-sm btn-outline-danger me-1", text: "Retry",
        attrs: { type: "button", "aria-label": `Retry item ${item.id}` }, data: { action: "retry", id: item.id },
      }));
    }
    actions.append(el("button", {
      className: "btn btn-sm btn-outline-secondary", text: "View details",
      attrs: { type: "button", "aria-label": `View details of item ${item.id}` }, data: { action: "details", id: item.id },
    }));
    row.append(actions);
    return row;
  }

  function renderQueue(data) {
    const body = $("queue-body");
    const active = document.activeElement;
    const focus = active && body.contains(active) && active.dataset.action
      ? { action: active.dataset.action, id: active.dataset.id } : null;
    const rows = data.items.map(renderRow);
    if (!rows.length) {
      const filtered = state.status || state.q || state.actress;
      rows.push(el("tr", {}, el("td", {
        className: "text-center text-body-secondary py-4", attrs: { colspan: 7 },
        text: filtered ? "No item matches these filters." : "The queue is empty. Files that appear in a watch folder show up here.",
      })));
    }
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
    $("queue-summary").textContent = `${fmtNumber(data.total)} item${data.total === 1 ? "" : "s"}${
      state.status || state.q || state.actress ? " match" : ""}`;
    renderPager(data.total, data.page);
  }

  function renderPager(total, page) {
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const pager = $("pager");
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
    pager.replaceChildren(...items);
  }

  function setPage(page) {
    state.page = Math.max(1, page);
    writeUrl();
    reloadQueue();
  }

  function reloadQueue() {
    loadQueue().catch(onBackgroundError);
  }

  function syncFilterControls() {
    $("filter-status").value = state.status;
    $("filter-q").value = state.q;
    $("filter-sort").value = state.sort;
    $("actress-chip-name").textContent = state.actress;
    $("actress-chip-row").classList.toggle("d-none", !state.actress);
    for (const card of document.querySelectorAll(".stat-card")) {
      card.setAttribute("aria-pressed", String(card.dataset.filter === state.status && !!state.status));
    }
    $("log-level").value = state.logLevel;
  }

  function applyFilters(changes) {
    Object.assign(state, changes, { page: 1 });
    syncFilterControls();
    writeUrl();
    reloadQueue();
  }

  // ---------------------------------------------------------------------------------------------
  // item detail
  let detailId = null;
  let detailItem = null;
  let detailKey = "";
  const detailMeta = { node: null, key: "", id: null };
  let pendingConfirm = null;

  async function openDetail(id) {
    detailId = Number(id);
    detailItem = null;
    detailMeta.node = null;
    hideDetailConfirm();
    $("detail-title").textContent = `Item #${detailId}`;
    $("detail-body").replaceChildren(el("p", { className: "text-body-secondary", text: "Loading…" }));
    setDetailButtons(null);
    const node = $("detail-modal");
    if (!node.classList.contains("show")) {
      await whenNoModal();
      showModal("detail-modal");
    }
    await loadDetail();
  }

  async function loadDetail() {
    const id = detailId;
    try {
      const item = await api(`/api/queue/${id}`);
      if (id !== detailId) return;
      detailItem = item;
      renderDetail(item);
    } catch (error) {
      if (id !== detailId) return;
      $("detail-body").replaceChildren(el("div", {
        className: "alert alert-danger", attrs: { role: "alert" },
        text: `Could not load item ${id}: ${describeError(error)}`,
      }));
    }
  }

  function setDetailButtons(item) {
    $("detail-retry").classList.toggle("d-none", !item || item.status !== "error");
    $("detail-reprocess").disabled = !item || item.status === "processing";
    $("detail-delete").disabled = !item || item.status === "processing";
    $("detail-logs").disabled = !item;
  }

  function kvList(pairs) {
    const dl = el("dl", { className: "kv" });
    for (const [label, value] of pairs) {
      if (value === undefined) continue;
      dl.append(el("dt", { text: label }), el("dd", {}, value === null || value === "" ? el("span", { className: "text-body-secondary", text: "—" }) : value));
    }
    return dl;
  }

  function section(title, ...children) {
    return el("section", { className: "mb-3" }, el("h3", { className: "h6 border-bottom pb-1", text: title }), ...children);
  }

  function renderDetail(item) {
    $("detail-title").textContent = `Item #${item.id} · ${item.movie_code || basename(item.file_path)}`;
    setDetailButtons(item);
    const parts = [];

    if (item.status === "error" && item.error_message) {
      parts.push(el("div", { className: "alert alert-danger", attrs: { role: "alert", id: "detail-error" } },
        el("div", { className: "fw-semibold", text: `Error${item.error_kind ? ` (${item.error_kind})` : ""} at ${item.stage}` }),
        el("div", { className: "text-break", text: item.error_message })));
    }

    const nextAttempt = item.next_attempt_at
      ? el("span", {}, timeNode(item.next_attempt_at), ` (${fmtRelative(item.next_attempt_at)})`)
      : null;
    const code = [item.movie_code, item.part ? `part ${item.part}` : null, item.subtitles ? "subtitles" : null,
      item.uncensored ? "uncensored" : null].filter(Boolean).join(" · ");
    parts.push(section("Summary", kvList([
      ["Status", el("span", {}, statusBadge(item.status), ` at ${item.stage}`)],
      ["Movie code", code || null],
      ["Title", item.title || null],
      ["Actresses", (item.actresses && item.actresses.length ? item.actresses.join(", ") : item.actress) || null],
      ["Emby ID", item.emby_id || null],
      ["Retries", String(item.retry_count)],
      ["Next attempt", item.status === "completed" || item.status === "processing" ? undefined
        : item.status === "error" && !item.next_attempt_at ? "waits for a person (Retry)" : nextAttempt],
      ["Created", timeNode(item.created_at)],
      ["Updated", timeNode(item.updated_at)],
      ["Completed", item.completed_at ? timeNode(item.completed_at) : null],
    ])));

    const pathNode = (path) => (path ? el("span", { className: "path", text: path }) : null);
    parts.push(section("Files", kvList([
      ["Source file", pathNode(item.file_path)],
      ["File size", typeof item.file_size === "number" ? fmtBytes(item.file_size) : undefined],
      ["Library path", pathNode(item.library_path)],
      ["Path on the server", pathNode(item.server_path)],
      ["Pending move", item.organize_intent ? pathNode(item.organize_intent) : undefined],
    ])));

    if (item.warnings && item.warnings.length) {
      parts.push(section("Warnings", el("ul", { className: "mb-0" }, ...item.warnings.map((w) => el("li", { text: w })))));
    }

    // the metadata view keeps its folded / unfolded parts when the rest is redrawn
    const metaKey = JSON.stringify(item.metadata === undefined ? null : item.metadata);
    if (!detailMeta.node || detailMeta.key !== metaKey || detailMeta.id !== item.id) {
      detailMeta.node = section("Metadata", metadataView(item.metadata));
      detailMeta.key = metaKey;
      detailMeta.id = item.id;
    }
    parts.push(detailMeta.node);
    parts.push(section("Timeline", timelineView(item.events || [])));
    detailKey = JSON.stringify(item);
    const body = $("detail-body");
    const scroll = body.scrollTop;
    body.replaceChildren(...parts);
    body.scrollTop = scroll;
  }

  /** While the detail is open, each poll cycle redraws it when the item changed. */
  async function refreshDetail() {
    const id = detailId;
    if (id === null || !detailItem || pendingConfirm || !$("detail-modal").classList.contains("show")) return;
    let item;
    try {
      item = await api(`/api/queue/${id}`);
    } catch (error) {
      if (error instanceof HttpError && error.status === 404 && id === detailId) {
        setDetailButtons(null);
        $("detail-title").textContent = `Item #${id} (removed from the queue)`;
        return;
      }
      throw error;
    }
    if (id !== detailId || pendingConfirm || JSON.stringify(item) === detailKey) return;
    detailItem = item;
    renderDetail(item);
  }

  function metadataView(metadata) {
    if (metadata === null || metadata === undefined) {
      return el("p", { className: "text-body-secondary mb-0", text: "No metadata fetched yet." });
    }
    const pretty = JSON.stringify(metadata, null, 2);
    const tree = el("div", { className: "json-tree", attrs: { id: "detail-metadata" } }, jsonNode(null, metadata, 0));
    const raw = el("details", { className: "mt-2" },
      el("summary", { className: "small", text: "Raw JSON" }),
      el("pre", { className: "json-raw mt-1 mb-0", text: pretty, attrs: { id: "detail-metadata-raw" } }));
    const copy = el("button", { className: "btn btn-sm btn-outline-secondary mb-2", text: "Copy JSON", attrs: { type: "button" } });
    copy.addEventListener("click", () => {
      navigator.clipboard.writeText(pretty).then(() => toast("Metadata JSON copied"), () => toast("Copy failed: select the raw JSON instead", "warning"));
    });
    return el("div", {}, copy, tree, raw);
  }

  /** A collapsible JSON tree: objects and arrays are <details>, leaves are coloured text. */
  function jsonNode(key, value, depth) {
    const keyNode = key === null ? null : el("span", { className: "json-key", text: `${JSON.stringify(key)}: ` });
    if (value !== null && typeof value === "object") {
      const isArray = Array.isArray(value);
      const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
      const open = depth < 1 || entries.length <= 8;
      const summary = el("summary", {}, keyNode,
        el("span", { className: "text-body-secondary", text: isArray ? `[ ${entries.length} item${entries.length === 1 ? "" : "s"} ]` : `{ ${entries.length} key${entries.length === 1 ? "" : "s"} }` }));
      const box = el("details", { attrs: { open: open ? "" : null } }, summary);
      for (const [k, v] of entries) box.append(jsonNode(isArray ? null : k, v, depth + 1));
      return box;
    }
    const kind = value === null ? "null" : typeof value;
    return el("div", { className: "leaf" }, keyNode, el("span", { className: `json-${kind}`, text: JSON.stringify(value) }));
  }

  function timelineView(events) {
    if (!events.length) return el("p", { className: "text-body-secondary mb-0", text: "No events yet." });
    const list = el("ol", { className: "timeline", attrs: { id: "detail-events" } });
    for (const event of events) {
      const outcome = String(event.outcome || "");
      const tone = /error|fail|permanent|transient/i.test(outcome) ? "ev-error"
        : /retry|wait|recover|defer|skip/i.test(outcome) ? "ev-warn"
          : /ok|done|success|complete|found|verified|queued|moved|written/i.test(outcome) ? "ev-ok" : "";
      const li = el("li", { className: tone },
        el("div", { className: "d-flex flex-wrap gap-2 align-items-baseline" },
          el("span", { className: "small text-body-secondary" }, timeNode(event.at)),
          el("span", { className: "badge text-bg-secondary", text: event.stage }),
          el("span", { className: "fw-semibold", text: outcome }),
          typeof event.duration_ms === "number" ? el("span", { className: "small text-body-secondary", text: `${Math.round(event.duration_ms)} ms` }) : null),
        el("div", { className: "text-break", text: event.message || "" }));
      if (event.payload && Object.keys(event.payload).length) {
        li.append(el("pre", { className: "ev-payload", text: JSON.stringify(event.payload, null, 1) }));
      }
      list.append(li);
    }
    return list;
  }

  function askDetailConfirm(text, label, action, danger = false) {
    pendingConfirm = action;
    $("detail-confirm-text").textContent = text;
    const yes = $("detail-confirm-yes");
    yes.textContent = label;
    yes.className = `btn btn-sm ${danger ? "btn-danger" : "btn-primary"}`;
    const bar = $("detail-confirm");
    bar.classList.remove("d-none");
    bar.classList.add("d-flex");
    yes.focus();
  }

  function hideDetailConfirm() {
    pendingConfirm = null;
    const bar = $("detail-confirm");
    bar.classList.add("d-none");
    bar.classList.remove("d-flex");
  }

  // ---------------------------------------------------------------------------------------------
  // actions
  async function retryItem(id) {
    try {
      const item = await change(`/api/queue/${id}/retry`);
      toast(`Item #${id} is pending again (${item.stage}).`);
      if (detailId === Number(id) && $("detail-modal").classList.contains("show")) renderDetail(item);
    } catch (error) {
      toast(`Retry of item #${id} failed: ${describeError(error)}`, "danger");
    }
    refreshSoon();
  }

  async function reprocessItem(id) {
    try {
      const item = await change(`/api/queue/${id}/reprocess-metadata`);
      toast(`Item #${id}: metadata will be fetched again and pushed to Emby.`);
      if (detailId === Number(id)) {
        detailItem = item;
        renderDetail(item);
      }
    } catch (error) {
      toast(`Re-fetch of item #${id} failed: ${describeError(error)}`, "danger");
    }
    refreshSoon();
  }

  async function deleteItem(id) {
    try {
      await change(`/api/queue/${id}`, { method: "DELETE" });
      toast(`Item #${id} removed from the queue (the file was not touched).`);
      modal("detail-modal").hide();
    } catch (error) {
      toast(`Delete of item #${id} failed: ${describeError(error)}`, "danger");
    }
    refreshSoon();
  }

  async function retryAllErrors() {
    const count = lastStats ? lastStats.error : null;
    const filter = {};
    if (state.q.trim()) filter.q = state.q.trim();
    if (state.actress) filter.actress = state.actress;
    const scoped = Object.keys(filter).length > 0;
    const { ok } = await confirmAction({
      title: "Retry errors",
      text: scoped
        ? "Retry every item in error that matches the current search?"
        : `Retry every item in error${count ? ` (${fmtNumber(count)})` : ""}? They go back to pending at the step that failed.`,
      confirmLabel: "Retry them",
    });
    if (!ok) return;
    try {
      const result = await change("/api/queue/retry-errors", { body: filter });
      toast(result.retried ? `${fmtNumber(result.retried)} item${result.retried === 1 ? "" : "s"} back to pending.` : "No item in error to retry.", result.retried ? "success" : "secondary");
    } catch (error) {
      toast(`Retry all failed: ${describeError(error)}`, "danger");
    }
    refreshSoon();
  }

  async function cleanup() {
    const { ok, days } = await confirmAction({
      title: "Clean up completed items",
      text: "Remove completed items older than the number of days below from the queue. Pending, processing and error items stay.",
      confirmLabel: "Remove them", danger: true, askDays: true,
    });
    if (!ok) return;
    try {
      const result = await change("/api/cleanup", { body: days === null ? {} : { older_than_days: days } });
      const n = result.deleted;
      toast(`Cleanup removed ${fmtNumber(n)} completed item${n === 1 ? "" : "s"} older than ${result.older_than_days} days.`, n ? "success" : "secondary");
    } catch (error) {
      toast(`Cleanup failed: ${describeError(error)}`, "danger");
    }
    refreshSoon();
  }

  async function togglePause() {
    const resume = paused;
    if (!resume) {
      const { ok } = await confirmAction({
        title: "Pause the workers",
        text: "Pause FileProcessor, EmbyUpdater and RetryHandler? Items in progress finish their current step; nothing new starts until you resume.",
        confirmLabel: "Pause",
      });
      if (!ok) return;
    }
    try {
      const result = await change(resume ? "/api/workers/resume" : "/api/workers/pause");
      toast(result.paused ? "Workers paused." : "Workers resumed.", result.paused ? "warning" : "success");
    } catch (error) {
      toast(`${resume ? "Resume" : "Pause"} failed: ${describeError(error)}`, "danger");
    }
    lastHealthKey = "";
    refreshSoon();
  }

  async function scanNow() {
    try {
      await change("/api/scan");
      toast("Scan requested: the watcher looks through every watch folder now.");
    } catch (error) {
      toast(`Scan failed: ${describeError(error)}`, "danger");
    }
    refreshSoon();
  }

  // ---------------------------------------------------------------------------------------------
  // polling, reachability
  const poll = { timer: null, running: false, again: false, failures: 0, reachable: true };

  async function refreshAll() {
    const results = await Promise.allSettled([loadHealth(), loadStats(), loadQueue(), refreshDetail()]);
    const failure = results.find((r) => r.status === "rejected" && r.reason instanceof Unreachable);
    if (failure) throw failure.reason;
  }

  function schedule(delay) {
    clearTimeout(poll.timer);
    poll.timer = null;
    if (document.hidden) return; // resumes on visibilitychange
    poll.timer = setTimeout(tick, delay);
  }

  async function tick() {
    clearTimeout(poll.timer);
    poll.timer = null;
    if (document.hidden) return;
    if (poll.running) {
      poll.again = true;
      return;
    }
    poll.running = true;
    const started = performance.now();
    let reachable = true;
    try {
      await refreshAll();
    } catch (error) {
      reachable = !(error instanceof Unreachable);
    }
    poll.running = false;
    if (reachable) {
      poll.failures = 0;
      setReachable(true);
      $("last-update").textContent = `updated ${new Date().toLocaleTimeString()}`;
      // fixed rate: the next cycle starts POLL_MS after this one started
      schedule(poll.again ? 0 : Math.max(0, POLL_MS - (performance.now() - started)));
    } else {
      poll.failures += 1;
      const delay = Math.min(POLL_MS * 2 ** (poll.failures - 1), MAX_BACKOFF_MS);
      setReachable(false, delay);
      schedule(delay);
    }
    poll.again = false;
  }

  function refreshSoon() {
    schedule(0);
  }

  function setReachable(reachable, retryInMs) {
    const banner = $("offline-banner");
    if (!reachable) {
      poll.reachable = false;
      banner.classList.remove("d-none");
      $("offline-text").textContent = retryInMs
        ? `Trying again in ${Math.max(1, Math.round(retryInMs / 1000))} s; the page recovers by itself.`
        : "Trying again shortly; the page recovers by itself.";
      $("last-update").textContent = "offline";
      document.body.dataset.reachable = "false";
      return;
    }
    if (!poll.reachable) {
      poll.reachable = true;
      banner.classList.add("d-none");
      document.body.dataset.reachable = "true";
      toast("Connection to the server restored.", "success");
      if (!logs.source || logs.source.readyState === EventSource.CLOSED) connectLogs(false);
    }
    document.body.dataset.reachable = "true";
  }

  function onBackgroundError(error) {
    if (error instanceof Unreachable) {
      setReachable(false);
      refreshSoon();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // live log
  const logs = { source: null, lastId: 0, follow: true, queue: [], flushing: false, unseen: 0, justOpened: false, retryTimer: null };

  function setLogStatus(text, kind) {
    const badge = $("log-status");
    badge.textContent = text;
    badge.className = `badge ${kind}`;
  }

  function connectLogs(clear = true) {
    clearTimeout(logs.retryTimer);
    if (logs.source) logs.source.close();
    if (clear) {
      $("log-view").replaceChildren();
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
    setLogStatus("connecting", "text-bg-secondary");
    source.addEventListener("open", () => {
      logs.justOpened = true;
      setLogStatus("live", "text-bg-success");
    });
    source.addEventListener("log", onLogEvent);
    source.addEventListener("error", () => {
      if (logs.source !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        setLogStatus("disconnected", "text-bg-danger");
        logs.retryTimer = setTimeout(() => connectLogs(false), Math.max(POLL_MS, 3000));
      } else {
        setLogStatus("reconnecting", "text-bg-warning");
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

  function logLine(record) {
    if (record.separator) return el("div", { className: "log-line log-sep", text: `— ${record.separator} —` });
    const level = String(record.level || "INFO").toUpperCase();
    const time = parseTime(record.time);
    const line = el("div", { className: `log-line log-${level}`, data: { id: record.id, level } },
      el("time", { text: time ? time.toLocaleTimeString() : "", attrs: { datetime: record.time, title: time ? `${fmtLocal(record.time, "full")} (${record.time})` : null } }), " ",
      el("span", { className: "log-level", text: level }), " ",
      el("span", { className: "log-logger", text: record.logger || "" }));
    if (record.item_id) {
      line.append(el("button", {
        className: "log-item", text: `#${record.item_id}`,
        attrs: { type: "button", title: `Show item ${record.item_id}` }, data: { item: record.item_id },
      }));
    }
    line.append(" ", el("span", { className: "log-msg", text: record.message || "" }));
    return line;
  }

  function flushLogs() {
    logs.flushing = false;
    const batch = logs.queue;
    logs.queue = [];
    if (!batch.length) return;
    const view = $("log-view");
    const fragment = document.createDocumentFragment();
    for (const record of batch) fragment.append(logLine(record));
    view.append(fragment);
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

  function onLogScroll() {
    const view = $("log-view");
    const atBottom = view.scrollHeight - view.scrollTop - view.clientHeight < 8;
    if (atBottom !== logs.follow) {
      logs.follow = atBottom;
      if (atBottom) logs.unseen = 0;
      updateJump();
    }
  }

  function showItemLogs(id) {
    state.logItem = id;
    writeUrl();
    connectLogs(true);
  }

  // ---------------------------------------------------------------------------------------------
  // theme
  function systemDark() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function storedTheme() {
    try {
      return localStorage.getItem(THEME_KEY);
    } catch (e) {
      return null;
    }
  }

  function applyTheme(theme) {
    document.documentElement.setAttribute("data-bs-theme", theme);
    const button = $("theme-toggle");
    const dark = theme === "dark";
    button.setAttribute("aria-pressed", String(dark));
    button.textContent = dark ? "Light mode" : "Dark mode";
    button.title = storedTheme() ? "Your choice (click to switch)" : "Following the system setting (click to switch)";
  }

  function toggleTheme() {
    const next = document.documentElement.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
    try {
      // choosing what the system already says means "follow the system" again
      if ((next === "dark") === systemDark()) localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, next);
    } catch (e) {
      /* storage unavailable: the choice lasts for this page */
    }
    applyTheme(next);
  }

  // ---------------------------------------------------------------------------------------------
  // wiring
  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  function wire() {
    $("filter-status").addEventListener("change", (e) => applyFilters({ status: e.target.value }));
    $("filter-sort").addEventListener("change", (e) => applyFilters({ sort: e.target.value }));
    const search = debounce((value) => {
      if (value !== state.q) applyFilters({ q: value });
    }, SEARCH_DEBOUNCE_MS);
    $("filter-q").addEventListener("input", (e) => search(e.target.value.slice(0, 200)));
    $("queue-filters").addEventListener("submit", (e) => {
      e.preventDefault();
      applyFilters({ q: $("filter-q").value.slice(0, 200) });
    });
    $("filter-clear").addEventListener("click", () => applyFilters({ status: "", q: "", actress: "", sort: "newest" }));
    $("actress-chip-clear").addEventListener("click", () => applyFilters({ actress: "" }));

    for (const card of document.querySelectorAll(".stat-card")) {
      card.addEventListener("click", () => applyFilters({ status: card.dataset.filter }));
    }
    $("actresses").addEventListener("click", (e) => {
      const button = e.target.closest("button[data-actress]");
      if (button) applyFilters({ actress: button.dataset.actress });
    });

    $("pager").addEventListener("click", (e) => {
      const button = e.target.closest("button[data-page]");
      if (button && !button.disabled) setPage(Number(button.dataset.page));
    });

    $("queue-body").addEventListener("click", (e) => {
      const button = e.target.closest("button[data-action]");
      if (!button) return;
      const id = Number(button.dataset.id);
      if (button.dataset.action === "details") {
        openDetail(id);
      } else if (button.dataset.action === "retry") {
        confirmAction({ title: `Retry item #${id}`, text: "Put this item back in the queue at the step that failed, now?", confirmLabel: "Retry" })
          .then(({ ok }) => ok && retryItem(id));
      }
    });

    $("detail-retry").addEventListener("click", () => askDetailConfirm("Retry this item now, at the step that failed?", "Retry", () => retryItem(detailId)));
    $("detail-reprocess").addEventListener("click", () => askDetailConfirm("Fetch the metadata again (skipping caches) and push it to Emby?", "Re-fetch", () => reprocessItem(detailId)));
    $("detail-delete").addEventListener("click", () => askDetailConfirm("Remove this item from the queue? The file on disk is not touched.", "Delete", () => deleteItem(detailId), true));
    $("detail-confirm-no").addEventListener("click", hideDetailConfirm);
    $("detail-confirm-yes").addEventListener("click", () => {
      const action = pendingConfirm;
      hideDetailConfirm();
      if (action) action();
    });
    $("detail-logs").addEventListener("click", () => {
      const id = detailId;
      modal("detail-modal").hide();
      showItemLogs(id);
      $("logs-card").scrollIntoView({ block: "start" });
      $("log-view").focus({ preventScroll: true });
    });
    $("detail-modal").addEventListener("hidden.bs.modal", () => {
      hideDetailConfirm();
      detailId = null;
    });

    $("act-refresh").addEventListener("click", () => {
      lastHealthKey = "";
      lastStatsKey = "";
      lastQueueKey = "";
      if (!logs.source || logs.source.readyState === EventSource.CLOSED) connectLogs(false);
      refreshSoon();
    });
    $("act-scan").addEventListener("click", scanNow);
    $("act-retry-errors").addEventListener("click", retryAllErrors);
    $("act-pause").addEventListener("click", togglePause);
    $("act-cleanup").addEventListener("click", cleanup);
    $("offline-retry").addEventListener("click", refreshSoon);
    $("forget-token").addEventListener("click", () => {
      setToken("");
      toast("API token forgotten.", "secondary");
    });
    $("theme-toggle").addEventListener("click", toggleTheme);
    if (window.matchMedia) {
      window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", (e) => {
        if (!storedTheme()) applyTheme(e.matches ? "dark" : "light");
      });
    }

    const view = $("log-view");
    view.addEventListener("scroll", onLogScroll, { passive: true });
    view.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-item]");
      if (button) openDetail(Number(button.dataset.item));
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
    $("log-clear").addEventListener("click", () => {
      view.replaceChildren();
      logs.unseen = 0;
      logs.follow = true;
      updateJump();
    });

    document.addEventListener("visibilitychange", () => {
      if (document.hidden) {
        clearTimeout(poll.timer);
        poll.timer = null;
      } else {
        refreshSoon();
      }
    });
    window.addEventListener("online", refreshSoon);
    document.addEventListener("keydown", (e) => {
      const typing = e.target.closest("input, textarea, select, [contenteditable]");
      if (e.key === "/" && !typing && !document.querySelector(".modal.show")) {
        e.preventDefault();
        $("filter-q").focus();
      }
    });
  }

  function start() {
    if (!window.bootstrap) {
      document.body.prepend(el("div", { className: "alert alert-danger m-3", text: "Bootstrap's script did not load; the dashboard cannot start." }));
      return;
    }
    applyTheme(document.documentElement.getAttribute("data-bs-theme") || (systemDark() ? "dark" : "light"));
    setToken(getToken());
    readUrl();
    syncFilterControls();
    writeUrl();
    wire();
    connectLogs(true);
    tick();
    document.body.dataset.ready = "true";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
