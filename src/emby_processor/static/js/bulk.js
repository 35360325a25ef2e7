/* The bulk bar's actions on the selected items (selection.js): Retry and Re-fetch metadata act at
 * once and say how many changed and how many were left alone (an item whose own buttons do not
 * offer the action is skipped by the server); Ignore asks first, as for one item, then offers
 * Undo (the files are un-ignored and the watcher queues them again). */
import { change, describeError } from "./api.js";
import { $, plural } from "./dom.js";
import { confirmAction } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { clearSelection, selectionTarget } from "./selection.js";
import { toast } from "./toast.js";

const DONE = {
  retry: (n) => `${plural(n, "item")} back to pending.`,
  reprocess: (n) => `${plural(n, "item")}: metadata will be fetched again and pushed to the media server.`,
  ignore: (n) => `${plural(n, "file")} ignored; they left the queue.`,
};
const SKIPPED = {
  retry: "a retry cannot fix them",
  reprocess: "they have no code or a re-fetch cannot help them",
  ignore: "completed or being processed",
};
const FAILED = { retry: "Retry", reprocess: "Re-fetch", ignore: "Ignoring" };

async function run(action, target) {
  const body = target.filter ? { filter: target.filter } : { ids: target.ids };
  try {
    const result = await change(`/api/queue/bulk/${action}`, { body });
    const changed = result.changed.length;
    let text = changed ? DONE[action](changed) : `Nothing changed: ${SKIPPED[action]}.`;
    if (changed && result.skipped) text += ` ${plural(result.skipped, "item")} left alone: ${SKIPPED[action]}.`;
    const undo = action === "ignore" && result.ignored.length
      ? { label: "Undo", run: () => unignore(result.ignored) } : undefined;
    toast(text, changed ? "success" : "secondary", { action: undo });
    clearSelection();
  } catch (error) {
    toast(`${FAILED[action]} of the selected items failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
}

async function unignore(ids) {
  try {
    const result = await change("/api/ignored/unignore", { body: { ids } });
    toast(`${plural(result.unignored.length, "file")} no longer ignored; the watcher queues them again.`);
  } catch (error) {
    toast(`Un-ignoring failed: ${describeError(error)}`, "danger");
  }
  refreshSoon();
}

async function ignoreSelected() {
  const target = selectionTarget();
  const { ok } = await confirmAction({
    title: `Ignore ${plural(target.count, "file")}?`,
    text: "The selected items leave the queue and their files are never picked up again, until you "
      + "un-ignore them (Undo, or Ignored files). Completed items and items being processed stay. "
      + "Files on disk are not touched.",
    confirmLabel: `Ignore ${plural(target.count, "file")}`, danger: true,
  });
  if (ok) await run("ignore", target);
}

/** Runs a bulk action on the selection (`retry`, `reprocess`, `ignore`). */
export function bulkAction(action) {
  const target = selectionTarget();
  if (!target.count) return Promise.resolve();
  return action === "ignore" ? ignoreSelected() : run(action, target);
}

export function wireBulk() {
  $("bulk-retry").addEventListener("click", () => bulkAction("retry"));
  $("bulk-reprocess").addEventListener("click", () => bulkAction("reprocess"));
  $("bulk-ignore").addEventListener("click", () => bulkAction("ignore"));
}
