/* "Set code…": a person types the code of a file the parser could not read (or of a match no
 * site knows); a live preview says how the text reads (GET /api/parse), and the item looks its
 * metadata up again with it (POST /api/queue/{id}/code). */
import { api, change, describeError, HttpError } from "./api.js";
import { $, basename, debounce } from "./dom.js";
import { modal, showModal, whenNoModal } from "./modals.js";
import { refreshSoon } from "./poll.js";
import { toast } from "./toast.js";

const LOOSE = /^[A-Za-z0-9][A-Za-z0-9._ -]*[A-Za-z0-9]$/;
const dialog = { item: null, seq: 0, busy: false };

function describeParse(found) {
  if (!found.code) return "";
  const extra = [found.part ? `part ${found.part}` : null, found.subtitles ? "subtitles" : null,
    found.uncensored ? "uncensored" : null].filter(Boolean);
  return `${found.code}${extra.length ? ` (${extra.join(", ")})` : ""}`;
}

async function preview() {
  const mine = ++dialog.seq;
  const text = $("code-input").value.trim();
  const out = $("code-preview");
  const input = $("code-input");
  if (!text) {
    out.textContent = "Type the code printed on the cover or on the site.";
    input.classList.remove("is-invalid", "is-valid");
    return;
  }
  try {
    const found = await api(`/api/parse?name=${encodeURIComponent(text)}`);
    if (mine !== dialog.seq) return;
    const valid = Boolean(found.code) || LOOSE.test(text);
    input.classList.toggle("is-valid", valid);
    input.classList.toggle("is-invalid", !valid);
    if (found.code) out.textContent = `Reads as ${describeParse(found)}.`;
    else if (valid) out.textContent = `No rule knows this form; it is looked up as written: ${text.toUpperCase().replace(/\s+/g, "-")}.`;
    else out.textContent = "This does not look like a movie code.";
  } catch (error) {
    if (mine === dialog.seq) out.textContent = `Could not check it: ${describeError(error)}`;
  }
}

async function explainName(item) {
  const name = basename(item.file_path);
  const node = $("code-name-parse");
  node.textContent = "";
  try {
    const found = await api(`/api/parse?name=${encodeURIComponent(name)}`);
    if (dialog.item !== item) return;
    node.textContent = found.code
      ? `The file name reads as ${describeParse(found)}.`
      : "The file name holds no code any rule knows.";
  } catch (error) {
    /* the preview of the name is a help, not needed to set the code */
  }
}

/** Opens the dialog for `item` ({id, file_path, movie_code, …}). */
export async function openSetCode(item) {
  await whenNoModal();
  dialog.item = item;
  $("code-title").textContent = `Set the code of item #${item.id}`;
  $("code-file").textContent = basename(item.file_path);
  const input = $("code-input");
  input.value = item.movie_code || "";
  input.classList.remove("is-invalid", "is-valid");
  explainName(item);
  preview();
  showModal("code-modal");
}

async function submit(event) {
  event.preventDefault();
  const item = dialog.item;
  const code = $("code-input").value.trim();
  if (!item || dialog.busy) return;
  if (!code) {
    $("code-input").classList.add("is-invalid");
    $("code-input").focus();
    return;
  }
  dialog.busy = true;
  $("code-ok").disabled = true;
  try {
    const changed = await change(`/api/queue/${item.id}/code`, { body: { code } });
    toast(`Item #${item.id} is now ${changed.movie_code}; its metadata is looked up again.`);
    modal("code-modal").hide();
  } catch (error) {
    $("code-preview").textContent = error instanceof HttpError && error.status === 422
      ? "This does not look like a movie code." : `Not set: ${describeError(error)}`;
    $("code-input").classList.add("is-invalid");
    $("code-input").focus();
  } finally {
    dialog.busy = false;
    $("code-ok").disabled = false;
    refreshSoon();
  }
}

export function wireSetCode() {
  $("code-input").addEventListener("input", debounce(preview, 200));
  $("code-form").addEventListener("submit", submit);
  $("code-modal").addEventListener("shown.bs.modal", () => $("code-input").select());
  $("code-modal").addEventListener("hidden.bs.modal", () => {
    dialog.item = null;
  });
}
