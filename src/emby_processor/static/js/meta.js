/* The service's vocabulary, from GET /api/meta, loaded once at start: statuses and their labels,
 * stages, error kinds, causes of failure (a plain sentence and what to do), sort orders and the
 * queue's row fields. The page writes none of these words itself. */
import { api } from "./api.js";
import { el } from "./dom.js";

const words = {
  statuses: [], stages: [], errorKinds: [], causes: [], sorts: [], rowFields: [],
};
const index = {
  status: new Map(), stage: new Map(), errorKind: new Map(), cause: new Map(), sort: new Map(), field: new Map(),
};

const byName = (list, key = "name") => new Map(list.map((entry) => [entry[key], entry]));

export async function loadMeta() {
  const doc = await api("/api/meta");
  words.statuses = doc.statuses || [];
  words.stages = doc.stages || [];
  words.errorKinds = doc.error_kinds || [];
  words.causes = doc.causes || [];
  words.sorts = doc.sorts || [];
  words.rowFields = doc.row_fields || [];
  index.status = byName(words.statuses);
  index.stage = byName(words.stages);
  index.errorKind = byName(words.errorKinds);
  index.cause = byName(words.causes, "code");
  index.sort = byName(words.sorts);
  index.field = byName(words.rowFields);
}

/** [{name, label}] in the service's order */
export const statuses = () => words.statuses;
export const sorts = () => words.sorts;
export const isStatus = (name) => index.status.has(name);
export const isSort = (name) => index.sort.has(name);
export const defaultSort = () => (words.sorts[0] ? words.sorts[0].name : "newest");

const label = (map, name) => {
  const entry = map.get(name);
  return entry ? entry.label : String(name ?? "?");
};
export const statusLabel = (name) => label(index.status, name);
export const stageLabel = (name) => label(index.stage, name);
export const errorKindLabel = (name) => label(index.errorKind, name);
/** The label of a queue row field (`id`, `movie_code`, …), as the CSV export names it. */
export const fieldLabel = (name) => label(index.field, name);
export const hasField = (name) => index.field.has(name);

/** {code, kind, title, hint} for a cause code, or null (no cause recorded, or one this page does not know). */
export const cause = (code) => (code ? index.cause.get(code) || null : null);

export function statusBadge(status) {
  const known = isStatus(status);
  return el("span", {
    className: `badge ${known ? `badge-${status}` : "text-bg-secondary"}`,
    text: statusLabel(status),
  });
}
