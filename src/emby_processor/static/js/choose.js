/* "Choose the right movie…": the candidates of an uncertain match side by side (cover, title,
 * date, maker, actresses, where each came from); one click writes the chosen one
 * (GET /api/queue/{id}/candidates, POST /api/queue/{id}/choose). */
import { api, change, describeError } from "./api.js";
import { $, el } from "./dom.js";
import { modal, showModal, whenNoModal } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { toast } from "./toast.js";

const DIALOG = "choose-modal";
const dialog = { item: null, candidates: [], busy: false };
let links = { onSetCode: () => {} };

const names = (people) => (people || []).map((p) => (typeof p === "string" ? p : p.name)).filter(Boolean).join(", ");
/** how the provider found it, for people */
const FOUND_BY = {
  exact: "by its code", known_prefix: "at the label's DMM content id", guessed: "at a guessed content id",
  fuzzy: "by a search, without the code",
};

function coverUrl(item, candidate) {
  return candidate.cover_url
    ? `/api/queue/${item.id}/candidates/cover?candidate=${encodeURIComponent(candidate.id)}` : null;
}

function card(candidate, index) {
  const found = [candidate.source, FOUND_BY[candidate.found_by] || candidate.found_by].filter(Boolean).join(", ");
  const agreed = candidate.agreed_by && candidate.agreed_by.length ? `${candidate.agreed_by.join(", ")} agree${candidate.agreed_by.length === 1 ? "s" : ""}` : null;
  const fields = [
    ["Released", candidate.release_date], ["Maker", candidate.maker], ["Actresses", names(candidate.actresses)],
    ["Found", found], ["Content id", candidate.content_id], ["Agreed", agreed],
  ];
  const dl = el("dl", { className: "kv small mb-2" });
  for (const [label, value] of fields) if (value) dl.append(el("dt", { text: label }), el("dd", { text: value }));
  const src = coverUrl(dialog.item, candidate);
  const cover = src ? el("img", {
    className: "candidate-cover rounded border mb-2", attrs: { src, alt: `Cover of candidate ${index + 1}`, loading: "lazy" },
  }) : null;
  if (cover) cover.addEventListener("error", () => cover.remove(), { once: true });
  const choose = el("button", {
    className: "btn btn-primary btn-sm mt-auto", text: "Choose this one",
    attrs: { type: "button", "aria-label": `Choose this one: candidate ${index + 1}, ${candidate.title || ""}` },
    data: { candidate: index },
  });
  return el("li", { className: "col" },
    el("article", { className: "card h-100 candidate" },
      el("div", { className: "card-body d-flex flex-column" },
        cover, el("h3", { className: "h6", text: candidate.title || "(no title)" }), dl, choose)));
}

export async function openChoose(item) {
  await whenNoModal();
  Object.assign(dialog, { item, candidates: [] });
  $("choose-title").textContent = `Choose the right movie for ${item.movie_code || `item #${item.id}`}`;
  $("choose-body").replaceChildren(el("p", { className: "text-body-secondary", text: "Loading…" }));
  showModal(DIALOG);
  try {
    const data = await api(`/api/queue/${item.id}/candidates`);
    if (dialog.item !== item) return;
    dialog.candidates = Array.isArray(data) ? data : data.candidates || [];
    $("choose-body").replaceChildren(
      el("p", { text: item.message || "More than one movie could be this one; nothing was written." }),
      dialog.candidates.length
        ? el("ul", { className: "row row-cols-1 row-cols-sm-2 row-cols-lg-3 g-3 list-unstyled mb-0", attrs: { id: "choose-list" } },
          ...dialog.candidates.map(card))
        : el("p", { className: "text-body-secondary", text: "No candidate was kept. Set the code instead." }));
  } catch (error) {
    if (dialog.item !== item) return;
    $("choose-body").replaceChildren(el("div", { className: "alert alert-danger", attrs: { role: "alert" }, text: `Could not load the candidates: ${describeError(error)}` }));
  }
}

async function choose(index) {
  const item = dialog.item;
  const candidate = dialog.candidates[index];
  if (!item || !candidate || dialog.busy) return;
  dialog.busy = true;
  try {
    await change(`/api/queue/${item.id}/choose`, { body: { candidate: candidate.id } });
    toast(`${item.movie_code || `Item #${item.id}`}: “${candidate.title || "the chosen movie"}” is written.`);
    modal(DIALOG).hide();
  } catch (error) {
    toast(`Could not choose: ${describeError(error)}`, "danger");
  } finally {
    dialog.busy = false;
    refreshSoon();
  }
}

/** `onSetCode(item)`: "None of these". */
export function wireChoose(callbacks) {
  links = callbacks;
  $("choose-body").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-candidate]");
    if (button) choose(Number(button.dataset.candidate));
  });
  $("choose-code").addEventListener("click", () => {
    if (dialog.item) links.onSetCode(dialog.item);
  });
  $(DIALOG).addEventListener("hidden.bs.modal", () => {
    dialog.item = null;
  });
}
