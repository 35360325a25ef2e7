/* The service's vocabulary, from GET /api/meta, loaded once at start: statuses and their labels,
 * stages, error kinds, the two kinds of trouble (needs you, retrying), causes of failure (a plain
 * sentence, what to do, the group sentences and the actions that fix them), action labels, sort
 * orders, the queue's row fields and the few settings the page shows (retries, cleanup days).
 * The page writes none of these words itself. */
import { api } from "./api.js";
import { el, fmtRelative } from "./dom.js";

const words = {
  statuses: [], stages: [], errorKinds: [], troubles: [], causes: [], actions: [], sorts: [], rowFields: [],
  settings: { max_retries: 5, cleanup_completed_after_days: 30 },
};
const index = {
  status: new Map(), stage: new Map(), errorKind: new Map(), trouble: new Map(), cause: new Map(),
  action: new Map(), sort: new Map(), field: new Map(),
};

const byName = (list, key = "name") => new Map(list.map((entry) => [entry[key], entry]));

export async function loadMeta() {
  const doc = await api("/api/meta");
  words.statuses = doc.statuses || [];
  words.stages = doc.stages || [];
  words.errorKinds = doc.error_kinds || [];
  words.troubles = doc.troubles || [];
  words.causes = doc.causes || [];
  words.actions = doc.actions || [];
  words.sorts = doc.sorts || [];
  words.rowFields = doc.row_fields || [];
  words.settings = { ...words.settings, ...(doc.settings || {}) };
  index.status = byName(words.statuses);
  index.stage = byName(words.stages);
  index.errorKind = byName(words.errorKinds);
  index.trouble = byName(words.troubles);
  index.cause = byName(words.causes, "code");
  index.action = byName(words.actions);
  index.sort = byName(words.sorts);
  index.field = byName(words.rowFields);
}

/** [{name, label}] in the service's order */
export const statuses = () => words.statuses;
/** the two kinds of error as filters: [{name: "needs_attention"|"retrying", label}] */
export const troubles = () => words.troubles;
export const sorts = () => words.sorts;
export const settings = () => words.settings;
export const isStatus = (name) => index.status.has(name);
/** A status or a kind of trouble: what the queue's status filter takes. */
export const isStatusFilter = (name) => index.status.has(name) || index.trouble.has(name);
export const isCause = (name) => index.cause.has(name);
export const isSort = (name) => index.sort.has(name);
export const defaultSort = () => (words.sorts[0] ? words.sorts[0].name : "newest");

const label = (map, name) => {
  const entry = map.get(name);
  return entry ? entry.label : String(name ?? "?");
};
export const statusLabel = (name) => label(index.status, name);
export const filterLabel = (name) => (index.trouble.has(name) ? label(index.trouble, name) : label(index.status, name));
export const stageLabel = (name) => label(index.stage, name);
export const errorKindLabel = (name) => label(index.errorKind, name);
export const actionLabel = (name) => label(index.action, name);
/** The label of a queue row field (`id`, `movie_code`, …), as the CSV export names it. */
export const fieldLabel = (name) => label(index.field, name);
export const hasField = (name) => index.field.has(name);

/** {code, kind, title, hint, message, one, many, actions} for a cause code, or null. */
export const cause = (code) => (code ? index.cause.get(code) || null : null);

/** Whether an item in error waits for a person (permanent, or its retries used up). */
export const needsPerson = (item) => item.status === "error" && (item.error_kind === "permanent" || !item.next_attempt_at);

/** "needs_attention" or "retrying" for an item in error, else null. */
export const troubleOf = (item) => (item.status !== "error" ? null : needsPerson(item) ? "needs_attention" : "retrying");

/** The status as a badge; an error says which kind of trouble it is. */
export function statusBadge(item) {
  const status = typeof item === "string" ? item : item.status;
  const trouble = typeof item === "string" ? null : troubleOf(item);
  if (trouble) return el("span", { className: `badge badge-${trouble}`, text: filterLabel(trouble) });
  const known = isStatus(status);
  return el("span", {
    className: `badge ${known ? `badge-${status}` : "text-bg-secondary"}`,
    text: statusLabel(status),
  });
}

/** "attempt 3 of 6, next in 2 min" for an error that retries by itself. */
export function attemptText(item) {
  const attempts = (settings().max_retries ?? 5) + 1;
  const next = item.next_attempt_at ? `, next ${fmtRelative(item.next_attempt_at)}` : "";
  return `attempt ${Math.min(item.retry_count + 1, attempts)} of ${attempts}${next}`;
}
