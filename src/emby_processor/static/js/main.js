/* emby-processor dashboard: start-up and the links between panels. Plain ES modules, no build
 * step, no framework; one module per panel (see docs/development.md, "Adding a dashboard panel").
 *
 * Start-up: theme and token controls first (they work offline), then the vocabulary from
 * /api/meta (retried with backoff while the server is unreachable), then the URL state, the
 * panels, the live log and the first poll cycle. `act(name, item)` runs an item's button the
 * same way wherever it is (the inbox, a queue row, the item dialog).
 */
import { confirmIgnore, reprocessItem, retryAll, retryItem, wireActions } from "./actions.js";
import { onUnreachable, setToken, getToken, Unreachable, describeError } from "./api.js";
import { showNeedsYou } from "./badge.js";
import { wireCards } from "./cards.js";
import { wireBulk } from "./bulk.js";
import { openChoose, wireChoose } from "./choose.js";
import { wireCleanup } from "./cleanup.js";
import { openDetail, refreshDetail, wireDetail } from "./detail.js";
import { $, el } from "./dom.js";
import { openDuplicate, wireDuplicate } from "./duplicate.js";
import { wireFolds } from "./fold.js";
import { invalidateHealth, loadHealth } from "./health.js";
import { wireHealthDialog } from "./healthdialog.js";
import { invalidateHistory, loadHistory, wireHistory } from "./history.js";
import { showIgnoredCount, wireIgnored } from "./ignored.js";
import { invalidateInbox, loadInbox, wireInbox } from "./inbox.js";
import { wireKeys } from "./keys.js";
import { connectLogs, focusLogs, logsDown, showItemLogs, wireLogs } from "./logs.js";
import { loadMeta } from "./meta.js";
import { wireNotify } from "./notify.js";
import {
  backoffDelay, onBackgroundError, onRestored, pause, refreshSoon, registerLoader, setReachable, tick, wirePolling,
} from "./poll.js";
import { applyFilters, buildQueueControls, invalidateQueue, loadQueue, syncFilterControls, wireQueue } from "./queue.js";
import { wireSelection } from "./selection.js";
import { wireSession } from "./session.js";
import { openSetCode, wireSetCode } from "./setcode.js";
import { buildStatCards, invalidateStats, loadStats, wireStats } from "./stats.js";
import { wireTheme } from "./theme.js";
import { toast } from "./toast.js";
import { readUrl, writeUrl } from "./urlstate.js";

function fail(message) {
  document.body.prepend(el("div", { className: "alert alert-danger m-3", attrs: { role: "alert" }, text: message }));
}

/** The vocabulary, once; while the server is unreachable the banner says so and it tries again. */
async function loadVocabulary() {
  for (let failures = 1; ; failures += 1) {
    try {
      await loadMeta();
      return true;
    } catch (error) {
      if (!(error instanceof Unreachable)) {
        fail(`The dashboard cannot start: the server's vocabulary (/api/meta) did not load (${describeError(error)}).`);
        return false;
      }
      const delay = backoffDelay(failures);
      setReachable(false, delay);
      await pause(delay);
    }
  }
}

/** An item's button, wherever it is: `name` is one of the item's `actions`, or `details`. */
function act(name, item) {
  const run = {
    details: () => openDetail(item.id),
    set_code: () => openSetCode(item),
    choose: () => openChoose(item),
    duplicate: () => openDuplicate(item),
    retry: () => retryItem(item.id),
    reprocess: () => reprocessItem(item.id),
    ignore: () => confirmIgnore(item),
  }[name];
  if (run) run();
}

function refreshAll() {
  invalidateHealth();
  invalidateStats();
  invalidateInbox();
  invalidateQueue();
  invalidateHistory();
  if (logsDown()) connectLogs(false);
  refreshSoon();
}

function wirePanels() {
  wireStats({
    onFilter: (status) => applyFilters({ status, cause: "" }),
    onActress: (actress) => applyFilters({ actress }),
    onIgnored: showIgnoredCount,
  });
  wireInbox({
    onAction: act,
    onShowGroup: (cause) => {
      applyFilters({ status: "needs_attention", cause });
      $("queue-card").focus();
    },
    onRetryGroup: (cause) => retryAll({ cause }),
    onCount: showNeedsYou,
  });
  wireQueue({ onAction: act });
  wireCards({ onAction: act });
  wireHistory({ onChange: () => loadHistory().catch(onBackgroundError) });
  wireSelection();
  wireBulk();
  wireKeys({ onAction: act });
  wireDetail({
    onAction: act,
    onShowLogs: (id) => {
      showItemLogs(id);
      focusLogs();
    },
  });
  wireSetCode();
  wireDuplicate({ onItem: openDetail });
  wireChoose({ onSetCode: openSetCode });
  wireIgnored();
  wireCleanup();
  wireHealthDialog();
  wireLogs({ onItem: openDetail });
  $("logs-card").addEventListener("fold", (e) => {
    if (e.detail.open) $("log-view").scrollTop = $("log-view").scrollHeight; // the newest lines
  });
  wireActions();
  wireNotify();
  $("act-refresh").addEventListener("click", refreshAll);
  onRestored(() => {
    if (logsDown()) connectLogs(false);
  });
}

async function start() {
  if (!window.bootstrap) {
    fail("Bootstrap's script did not load; the dashboard cannot start.");
    return;
  }
  wireTheme();
  setToken(getToken());
  $("forget-token").addEventListener("click", () => {
    setToken("");
    toast("API token forgotten.", "secondary");
  });
  onUnreachable(() => setReachable(false));
  wireSession(); // in the background: the Sign out button, with AUTH_MODE=password
  wirePolling();
  if (!(await loadVocabulary())) return;
  wireFolds();
  buildStatCards();
  buildQueueControls();
  readUrl();
  syncFilterControls();
  writeUrl();
  wirePanels();
  registerLoader(loadHealth, loadStats, loadInbox, loadQueue, loadHistory, refreshDetail);
  connectLogs(true);
  tick();
  document.body.dataset.ready = "true";
}

start();
