/* What a person can ask the service to do with an item or the queue. What is harmless and
 * reversible (retry, re-fetch, retry all, pause, resume, scan) acts at once and says so in a toast,
 * with an Undo where one makes sense (pause <-> resume); what loses something (ignoring a file)
 * asks first and says exactly what happens. Each asks for a fresh poll. */
import { change, describeError } from "./api.js";
import { $, basename, plural } from "./dom.js";
import { invalidateHealth, isPaused } from "./health.js";
import { stageLabel } from "./meta.js";
import { confirmAction } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { toast } from "./toast.js";

const nameOf = (item) => item.movie_code || basename(item.file_path) || `item #${item.id}`;

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

export async function reprocessItem(id) {
  let item = null;
  try {
    item = await change(`/api/queue/${id}/reprocess-metadata`);
    toast(`Item #${id}: metadata will be fetched again and pushed to the media server.`);
  } catch (error) {
    toast(`Re-fetch of item #${id} failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
  return item;
}

/** Asks, then ignores the item's file; resolves true when it left the queue. */
export async function confirmIgnore(item) {
  const { ok } = await confirmAction({
    title: `Ignore “${basename(item.file_path)}”?`,
    text: `Item #${item.id} leaves the queue and this file is never picked up again, until you `
      + "un-ignore it under Ignored files. The file on disk is not touched.",
    confirmLabel: "Ignore this file", danger: true,
  });
  if (!ok) return false;
  try {
    await change(`/api/queue/${item.id}/ignore`);
    toast(`${nameOf(item)} is ignored. Ignored files lists it; un-ignore it there.`, "secondary");
    refreshSoon();
    return true;
  } catch (error) {
    toast(`Ignoring item #${item.id} failed: ${describeError(error)}`, "danger");
    refreshSoon();
    return false;
  }
}

/** Retry what a retry can fix: the errors that retry by themselves, now; with `cause`, the
 * items stopped by it (a person fixed what stopped them). */
export async function retryAll(filter = {}) {
  try {
    const result = await change("/api/queue/retry-errors", { body: filter });
    toast(result.retried ? `${plural(result.retried, "item")} back to pending.` : "Nothing a retry can fix right now.",
      result.retried ? "success" : "secondary");
  } catch (error) {
    toast(`Retry failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
}

async function setPaused(pause, { undoable = true } = {}) {
  try {
    const result = await change(pause ? "/api/workers/pause" : "/api/workers/resume");
    const undo = undoable ? { label: result.paused ? "Resume" : "Pause again", run: () => setPaused(!result.paused, { undoable: false }) } : undefined;
    toast(result.paused ? "Workers paused: each finishes its current step." : "Workers resumed.",
      result.paused ? "warning" : "success", { action: undo });
  } catch (error) {
    toast(`${pause ? "Pause" : "Resume"} failed: ${describeError(error)}`, "danger");
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
  $("act-retry-errors").addEventListener("click", () => retryAll());
  $("act-pause").addEventListener("click", () => setPaused(!isPaused()));
}
