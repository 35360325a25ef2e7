/* Cleanup of old completed items: the days pre-filled with the configured value
 * (CLEANUP_COMPLETED_AFTER_DAYS), a live count of what will go before anything does, and progress
 * while it runs; the page stays usable meanwhile (a long cleanup gets a long timeout). */
import { api, change, describeError } from "./api.js";
import { $, debounce, plural } from "./dom.js";
import { settings } from "./meta.js";
import { modal, showModal, whenNoModal } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { toast } from "./toast.js";

const CLEANUP_TIMEOUT_MS = 10 * 60 * 1000;
const cleanup = { seq: 0, running: false, count: 0 };

function readDays() {
  const raw = $("cleanup-days").value.trim();
  const days = Number(raw);
  return raw !== "" && Number.isFinite(days) && days >= 0 && days <= 36500 ? days : null;
}

async function recount() {
  const mine = ++cleanup.seq;
  const days = readDays();
  const submit = $("cleanup-ok");
  $("cleanup-days").classList.toggle("is-invalid", days === null);
  submit.disabled = true;
  if (days === null) {
    $("cleanup-count").textContent = "Enter a number of days, 0 or more.";
    return;
  }
  $("cleanup-count").textContent = "Counting…";
  try {
    const { count } = await api(`/api/cleanup?older_than_days=${encodeURIComponent(days)}`);
    if (mine !== cleanup.seq) return;
    cleanup.count = count;
    $("cleanup-count").textContent = count
      ? `${plural(count, "completed item")} will be removed from the queue.`
      : "No completed item is that old: nothing to remove.";
    submit.textContent = count ? `Remove ${plural(count, "item")}` : "Remove";
    submit.disabled = !count || cleanup.running;
  } catch (error) {
    if (mine === cleanup.seq) $("cleanup-count").textContent = `Could not count: ${describeError(error)}`;
  }
}

function setBusy(busy, text = "") {
  cleanup.running = busy;
  $("cleanup-days").disabled = busy;
  $("cleanup-ok").disabled = busy || !cleanup.count;
  $("cleanup-progress").classList.toggle("d-none", !busy);
  $("cleanup-progress-text").textContent = text;
  $("cleanup-cancel").textContent = busy ? "Close (it goes on)" : "Cancel";
}

export async function openCleanup() {
  await whenNoModal();
  $("cleanup-days").value = String(settings().cleanup_completed_after_days);
  setBusy(false);
  recount();
  showModal("cleanup-modal");
}

async function run(event) {
  event.preventDefault();
  const days = readDays();
  if (cleanup.running || days === null || !cleanup.count) return;
  setBusy(true, `Removing ${plural(cleanup.count, "item")}… you can keep using the page.`);
  $("cleanup-cancel").focus();
  try {
    const result = await change("/api/cleanup", { body: { older_than_days: days }, timeoutMs: CLEANUP_TIMEOUT_MS });
    toast(`Cleanup removed ${plural(result.deleted, "completed item")} older than ${result.older_than_days} days.`,
      result.deleted ? "success" : "secondary");
    modal("cleanup-modal").hide();
  } catch (error) {
    toast(`Cleanup failed: ${describeError(error)}`, "danger");
  } finally {
    setBusy(false);
    refreshSoon();
  }
}

export function wireCleanup() {
  $("act-cleanup").addEventListener("click", openCleanup);
  $("cleanup-days").addEventListener("input", debounce(recount, 250));
  $("cleanup-form").addEventListener("submit", run);
  $("cleanup-modal").addEventListener("shown.bs.modal", () => $("cleanup-days").select());
}
