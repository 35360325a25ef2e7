/* "Settle the duplicate…": the new file and the library's copy side by side (size, path, date,
 * the item filed there and its link), then keep the library copy (the new file is ignored),
 * replace it (the library's copy moves aside, nothing is deleted) or keep both (the new one under
 * a numbered name). The two that lose something ask in the dialog's footer first. */
import { api, change, describeError } from "./api.js";
import { $, el, fmtBytes, timeNode } from "./dom.js";
import { isOpen, modal, showModal, whenNoModal } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { toast } from "./toast.js";

const DIALOG = "duplicate-modal";
const dialog = { item: null, info: null, confirm: null, opener: null };
let links = { onItem: () => {} };

function side(title, file, extra) {
  const rows = [
    ["Path", el("span", { className: "path", text: file.path })],
    ["Size", file.exists ? fmtBytes(file.size) : "the file is not there any more"],
    ["Modified", file.exists && file.modified ? timeNode(file.modified) : "—"],
  ];
  const dl = el("dl", { className: "kv mb-2" });
  for (const [label, value] of rows) dl.append(el("dt", { text: label }), el("dd", {}, value));
  return el("section", { className: "col-md-6" },
    el("div", { className: "dup-side h-100" }, el("h3", { className: "h6", text: title }), dl, extra));
}

function existingItem(info) {
  const held = info.existing_item;
  if (!held) return el("p", { className: "small text-body-secondary mb-0", text: "No queue item was filed there (it was put there by hand, or cleaned up)." });
  const view = el("button", { className: "btn btn-sm btn-outline-secondary", text: `View item #${held.id}`, attrs: { type: "button" } });
  view.addEventListener("click", () => {
    modal(DIALOG).hide();
    links.onItem(held.id);
  });
  const open = held.server_link ? el("a", {
    className: "btn btn-sm btn-outline-primary", text: "Open in the media server",
    attrs: { href: held.server_link, target: "_blank", rel: "noopener noreferrer" },
  }) : null;
  return el("div", {},
    el("p", { className: "small mb-1", text: `Item #${held.id} · ${[held.movie_code, held.title].filter(Boolean).join(" · ")}` }),
    el("div", { className: "d-flex flex-wrap gap-2" }, view, open));
}

function render(info) {
  const sizes = info.new.exists && info.existing.exists && info.new.size !== info.existing.size
    ? (info.new.size > info.existing.size ? "The new file is larger." : "The library's copy is larger.")
    : null;
  $("duplicate-body").replaceChildren(
    el("p", { text: `The library already has ${info.movie_code || "this movie"} where the new file belongs. Nothing was overwritten.` }),
    el("div", { className: "row g-3 mb-3" }, side("New file", info.new), side("In the library", info.existing, existingItem(info))),
    sizes ? el("p", { className: "fw-semibold", text: sizes }) : null,
    el("ul", { className: "small mb-0" },
      el("li", { text: "Keep the library copy: the new file stays where it is and is ignored (you can un-ignore it later)." }),
      el("li", {}, "Replace it: the library's copy moves to ", el("span", { className: "path", text: info.aside_path }), "; nothing is deleted."),
      el("li", {}, "Keep both: the new file is filed beside it as ", el("span", { className: "path", text: info.both_name }), ".")));
}

function setButtons(enabled) {
  for (const id of ["duplicate-library", "duplicate-replace", "duplicate-both"]) $(id).disabled = !enabled;
}

export async function openDuplicate(item) {
  await whenNoModal();
  Object.assign(dialog, { item, info: null, confirm: null });
  hideConfirm();
  setButtons(false);
  $("duplicate-title").textContent = `Duplicate: ${item.movie_code || `item #${item.id}`}`;
  $("duplicate-body").replaceChildren(el("p", { className: "text-body-secondary", text: "Loading…" }));
  showModal(DIALOG);
  try {
    const info = await api(`/api/queue/${item.id}/duplicate`);
    if (dialog.item !== item) return;
    dialog.info = info;
    render(info);
    setButtons(true);
  } catch (error) {
    if (dialog.item !== item) return;
    $("duplicate-body").replaceChildren(el("div", {
      className: "alert alert-danger", attrs: { role: "alert" }, text: `Could not load the duplicate: ${describeError(error)}`,
    }));
  }
}

async function settle(keep) {
  const item = dialog.item;
  if (!item) return;
  setButtons(false);
  try {
    await change(`/api/queue/${item.id}/duplicate`, { body: { keep } });
    toast({
      library: "The library copy stays; the new file is ignored.",
      new: "The new file replaces the library copy, which moves aside.",
      both: `Both are kept: the new file is filed as ${dialog.info ? dialog.info.both_name : "a numbered name"}.`,
    }[keep]);
    modal(DIALOG).hide();
  } catch (error) {
    toast(`Could not settle the duplicate: ${describeError(error)}`, "danger");
    setButtons(true);
  }
  refreshSoon();
}

function askConfirm(text, label, keep) {
  dialog.confirm = keep;
  dialog.opener = document.activeElement;
  $("duplicate-confirm-text").textContent = text;
  $("duplicate-confirm-yes").textContent = label;
  const bar = $("duplicate-confirm");
  bar.classList.remove("d-none");
  bar.classList.add("d-flex");
  $("duplicate-confirm-yes").focus();
}

function hideConfirm() {
  dialog.confirm = null;
  $("duplicate-confirm").classList.add("d-none");
  $("duplicate-confirm").classList.remove("d-flex");
}

function answer(yes) {
  const keep = dialog.confirm;
  const opener = dialog.opener;
  hideConfirm();
  if (opener && isOpen(DIALOG)) opener.focus();
  if (yes && keep) settle(keep);
}

/** `onItem(id)` opens an item's details (the library copy's item). */
export function wireDuplicate(callbacks) {
  links = callbacks;
  $("duplicate-library").addEventListener("click", () => askConfirm(
    "Ignore the new file? It stays in the watch folder and is not picked up again until you un-ignore it.",
    "Keep the library copy", "library"));
  $("duplicate-replace").addEventListener("click", () => askConfirm(
    `Move the library's copy to ${dialog.info ? dialog.info.aside_path : "the .replaced folder"} and file the new one in its place? Nothing is deleted.`,
    "Replace", "new"));
  $("duplicate-both").addEventListener("click", () => settle("both"));
  $("duplicate-confirm-no").addEventListener("click", () => answer(false));
  $("duplicate-confirm-yes").addEventListener("click", () => answer(true));
  $(DIALOG).addEventListener("hidden.bs.modal", () => {
    hideConfirm();
    dialog.item = null;
  });
}
