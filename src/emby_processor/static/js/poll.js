/* The refresh cycle and the server's reachability.
 *
 * Every panel that shows server data registers a loader; one cycle runs them all every POLL_MS
 * (fixed rate), stops while the tab is hidden, and backs off (doubling, up to MAX_BACKOFF_MS)
 * while the server is unreachable, with a banner that says so and goes away by itself.
 */
import { Unreachable } from "./api.js";
import { $ } from "./dom.js";
import { MAX_BACKOFF_MS, POLL_MS } from "./settings.js";
import { toast } from "./toast.js";

const poll = { timer: null, running: false, again: false, failures: 0, reachable: true };
const loaders = [];
const restoredHandlers = [];
let wake = null;

/** A loader: async () => void, throwing Unreachable when the server did not answer. */
export function registerLoader(...fns) {
  loaders.push(...fns);
}

/** Called when the server answers again after being unreachable. */
export function onRestored(fn) {
  restoredHandlers.push(fn);
}

export const backoffDelay = (failures) => Math.min(POLL_MS * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);

/** Waits `ms`, or less when the user asks to retry now. */
export function pause(ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wake = null;
      resolve();
    }
    wake = done;
  });
}

async function refreshAll() {
  const results = await Promise.allSettled(loaders.map((load) => load()));
  const failure = results.find((r) => r.status === "rejected" && r.reason instanceof Unreachable);
  if (failure) throw failure.reason;
}

function schedule(delay) {
  clearTimeout(poll.timer);
  poll.timer = null;
  if (document.hidden) return; // resumes on visibilitychange
  poll.timer = setTimeout(tick, delay);
}

export async function tick() {
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
    const delay = backoffDelay(poll.failures);
    setReachable(false, delay);
    schedule(delay);
  }
  poll.again = false;
}

export function refreshSoon() {
  if (wake) wake();
  schedule(0);
}

export function setReachable(reachable, retryInMs) {
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
    toast("Connection to the server restored.", "success");
    for (const fn of restoredHandlers) fn();
  }
  document.body.dataset.reachable = "true";
}

/** For loads outside the cycle (a filter change, an action): an unreachable server shows the banner. */
export function onBackgroundError(error) {
  if (error instanceof Unreachable) {
    setReachable(false);
    refreshSoon();
  }
}

export function wirePolling() {
  $("offline-retry").addEventListener("click", refreshSoon);
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(poll.timer);
      poll.timer = null;
    } else {
      refreshSoon();
    }
  });
  window.addEventListener("online", refreshSoon);
}
