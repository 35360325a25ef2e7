/* The numbers the page runs by. `?poll=SECONDS` shortens the 5-second poll cycle (the tests use it). */
import { clamp } from "./dom.js";

const params = new URLSearchParams(window.location.search);

export const POLL_MS = clamp(Number(params.get("poll")) * 1000 || 5000, 200, 600000);
export const MAX_BACKOFF_MS = Math.max(30000, POLL_MS);
export const REQUEST_TIMEOUT_MS = 15000;
export const PAGE_SIZE = 50;
export const TOP_ACTRESSES = 10;
export const LOG_MAX_LINES = 1000;
export const SEARCH_DEBOUNCE_MS = 300;
export const SEARCH_MAX_LENGTH = 200;
export const TOKEN_KEY = "emby-processor.apiToken";
export const THEME_KEY = "emby-processor.theme";
export const INBOX_PER_GROUP = 3;
