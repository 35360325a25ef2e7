/* "Sign out" in the top bar, with AUTH_MODE=password only (GET /api/auth says which mode is on).
 * Signing out is a write like any other (`change`: same-origin, CSRF header); the server drops
 * the session cookie and the page goes to the sign-in page. */
import { api, change, describeError } from "./api.js";
import { $ } from "./dom.js";
import { toast } from "./toast.js";

const SIGN_IN = "/sign-in";

async function signOut() {
  const button = $("sign-out");
  button.disabled = true;
  try {
    await change("/sign-out");
  } catch (error) {
    button.disabled = false;
    toast(`Signing out failed: ${describeError(error)}`, "danger");
    return;
  }
  location.assign(button.dataset.signIn || SIGN_IN);
}

/** Shows the button when people sign in with a password; resolves once it knows (and marks the
 * body with `data-auth`, the mode). */
export async function wireSession() {
  const button = $("sign-out");
  button.addEventListener("click", signOut);
  let state = null;
  try {
    state = await api("/api/auth");
  } catch (error) {
    return; // unreachable or an old server: no button; the poll loop reports the server
  }
  const password = Boolean(state && state.mode === "password");
  if (password && state.sign_in) button.dataset.signIn = state.sign_in;
  button.classList.toggle("d-none", !password);
  document.body.dataset.auth = (state && state.mode) || "";
}
