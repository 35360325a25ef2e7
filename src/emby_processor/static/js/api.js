/* Talking to the service's HTTP API.
 *
 * - Reads are plain GETs with a timeout; a network failure, or a proxy's 502/503/504 with no JSON,
 *   means the service is unreachable (`Unreachable`), anything else the server said is `HttpError`.
 * - Changes (`change`) carry the CSRF header (X-Requested-With) and, when the user saved one, the
 *   API token; a 401 asks for the token and tries again.
 * - A 401 that names a sign-in page (AUTH_MODE=password, the session ended) goes there.
 */
import { $ } from "./dom.js";
import { askToken } from "./modals.js";
import { REQUEST_TIMEOUT_MS, TOKEN_KEY } from "./settings.js";

export class HttpError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export class Unreachable extends Error {}

let unreachableHandler = () => {};

/** Who hears that a change found the server unreachable (the poll loop shows the banner). */
export function onUnreachable(handler) {
  unreachableHandler = handler;
}

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || "";
  } catch (e) {
    return "";
  }
}

export function setToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch (e) {
    /* storage unavailable: the token lives for this request only */
  }
  $("forget-token").classList.toggle("d-none", !token);
}

export async function api(path, { method = "GET", body, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["X-Requested-With"] = "emby-processor";
    headers["Content-Type"] = "application/json";
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Unreachable(error && error.message ? error.message : "network error");
  }
  let data = null;
  if ((response.headers.get("content-type") || "").includes("json")) {
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
  }
  if (!response.ok) {
    // AUTH_MODE=password and the session ended: sign in again, then come back here
    if (response.status === 401 && data && typeof data.sign_in === "string") {
      const here = location.pathname + location.search + location.hash;
      location.assign(`${data.sign_in}?next=${encodeURIComponent(here)}`);
    }
    // a reverse proxy answering for a dead backend: the service itself is unreachable
    if (data === null && [502, 503, 504].includes(response.status)) {
      throw new Unreachable(`HTTP ${response.status}`);
    }
    const detail = data && typeof data.detail === "string" ? data.detail : `HTTP ${response.status}`;
    throw new HttpError(response.status, detail);
  }
  return data;
}

/** A change: on 401 ask for the API token (once or twice), then try again. */
export async function change(path, { method = "POST", body, timeoutMs } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await api(path, { method, body, timeoutMs });
    } catch (error) {
      if (error instanceof HttpError && error.status === 401 && attempt < 2) {
        const token = await askToken(attempt ? "That token was refused. Try again." : error.detail);
        if (!token) throw error;
        setToken(token);
        continue;
      }
      if (error instanceof Unreachable) unreachableHandler();
      throw error;
    }
  }
}

export function describeError(error) {
  if (error instanceof Unreachable) return "the server is unreachable";
  if (error instanceof HttpError) return error.message;
  return String(error && error.message ? error.message : error);
}
