/* Cleanup of old completed items: the days pre-filled with the configured value
 * (CLEANUP_COMPLETED_AFTER_DAYS), a live count of what will go before anything does
 * (GET /api/cleanup/preview), and progress while it runs: a job that answers before it ends
 * (`done: false`) is followed with GET /api/cleanup, "1,200 of 5,000 removed". The page stays
 * usable meanwhile. */
import { api, change, describeError } from "./api.js";
import { $, debounce, fmtNumber, plural } from "./dom.js";
import { settings } from "./meta.js";
import { modal, showModal, whenNoModal } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { toast } from "./toast.js";

const CLEANUP_TIMEOUT_MS = 10 * 60 * 1000;
const PROGRESS_MS = 500;
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
    const { count } = await api(`/api/cleanup/preview?older_than_days=${encodeURIComponent(days)}`);
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

/** A determinate bar once the job says how far it is. */
function showProgress(deleted, total) {
  const bar = $("cleanup-bar");
  const pct = total ? Math.min(100, Math.round((deleted / total) * 100)) : 0;
  bar.classList.remove("progress-bar-animated", "progress-bar-striped", "w-100");
  bar.style.width = `${pct}%`;
  bar.parentElement.setAttribute("aria-valuenow", String(pct));
  $("cleanup-progress-text").textContent = `${fmtNumber(deleted)} of ${plural(total, "item")} removed… you can keep using the page.`;
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Follows a cleanup job that answered before it finished (GET /api/cleanup) until it ends. */
async function follow(result) {
  let job = result;
  while (job && job.done === false) {
    showProgress(job.deleted || 0, job.total || 0);
    await pause(PROGRESS_MS);
    job = await api("/api/cleanup");
  }
  if (job && (job.state === "failed" || job.state === "interrupted")) throw new Error(job.error || `the cleanup ${job.state}`);
  return { ...result, ...job };
}

function setBusy(busy, text = "") {
  cleanup.running = busy;
  $("cleanup-days").disabled = busy;
  $("cleanup-ok").disabled = busy || !cleanup.count;
  $("cleanup-progress").classList.toggle("d-none", !busy);
  const bar = $("cleanup-bar");
  bar.classList.add("progress-bar-animated", "progress-bar-striped", "w-100");
  bar.style.removeProperty("width");
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
    const result = await follow(await change("/api/cleanup", { body: { older_than_days: days }, timeoutMs: CLEANUP_TIMEOUT_MS }));
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
