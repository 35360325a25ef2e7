/* What a person can ask the service to do: retry, re-fetch or delete one item; retry every error,
 * clean up, pause or resume the workers, scan now. Each tells the outcome in a toast and asks
 * for a fresh poll. */
import { change, describeError } from "./api.js";
import { $, fmtNumber, plural } from "./dom.js";
import { invalidateHealth, isPaused } from "./health.js";
import { stageLabel } from "./meta.js";
import { confirmAction } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { currentStats } from "./stats.js";
import { toast } from "./toast.js";
import { state } from "./urlstate.js";

/** Back to pending at the step that failed; resolves the item, or null when it did not work. */
export async function retryItem(id) {
  let item = null;
  try {
    item = await change(`/api/queue/${id}/retry`);
    toast(`Item #${id} is pending again (${stageLabel(item.stage)}).`);
  } catch (error) {
    toast(`Retry of item #${id} failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
  return item;
}

/** The row's Retry button: asks first. */
export async function confirmRetry(id) {
  const { ok } = await confirmAction({
    title: `Retry item #${id}`, text: "Put this item back in the queue at the step that failed, now?", confirmLabel: "Retry",
  });
  if (ok) await retryItem(id);
}

export async function reprocessItem(id) {
  let item = null;
  try {
    item = await change(`/api/queue/${id}/reprocess-metadata`);
    toast(`Item #${id}: metadata will be fetched again and pushed to Emby.`);
  } catch (error) {
    toast(`Re-fetch of item #${id} failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
  return item;
}

/** Resolves true when the item is gone from the queue. */
export async function deleteItem(id) {
  let done = false;
  try {
    await change(`/api/queue/${id}`, { method: "DELETE" });
    toast(`Item #${id} removed from the queue (the file was not touched).`);
    done = true;
  } catch (error) {
    toast(`Delete of item #${id} failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
  return done;
}

async function retryAllErrors() {
  const stats = currentStats();
  const count = stats ? stats.error : null;
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
    toast(result.retried ? `${plural(result.retried, "item")} back to pending.` : "No item in error to retry.", result.retried ? "success" : "secondary");
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
    toast(`Cleanup removed ${plural(n, "completed item")} older than ${result.older_than_days} days.`, n ? "success" : "secondary");
  } catch (error) {
    toast(`Cleanup failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
}

async function togglePause() {
  const resume = isPaused();
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
  invalidateHealth();
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

/** The Actions card's buttons (Refresh all is wired by main.js: it touches every panel). */
export function wireActions() {
  $("act-scan").addEventListener("click", scanNow);
  $("act-retry-errors").addEventListener("click", retryAllErrors);
  $("act-pause").addEventListener("click", togglePause);
  $("act-cleanup").addEventListener("click", cleanup);
}
