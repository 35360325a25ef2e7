/* Building the page's nodes and formatting values for people.
 *
 * Every piece of data (file names, titles, actresses, errors, log lines) reaches the page through
 * textContent / createElement / setAttribute on harmless attributes: never innerHTML.
 */

export const $ = (id) => document.getElementById(id);

export function clamp(value, low, high) {
  return Math.min(Math.max(value, low), high);
}

/** createElement with text and attributes; children may be nodes or strings (as text). */
export function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  if (options.attrs) {
    for (const [name, value] of Object.entries(options.attrs)) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
    }
  }
  if (options.data) {
    for (const [name, value] of Object.entries(options.data)) node.dataset[name] = String(value);
  }
  for (const child of children) {
    if (child !== undefined && child !== null && child !== false) node.append(child);
  }
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Whether a control can take the focus now (in the document, shown, enabled). */
export function focusable(node) {
  return Boolean(node && node.isConnected && !node.disabled && node.getClientRects().length);
}

const numberFormat = new Intl.NumberFormat();
export const fmtNumber = (n) => (typeof n === "number" ? numberFormat.format(n) : "–");

/** "1 item", "3 items" */
export const plural = (n, word) => `${fmtNumber(n)} ${word}${n === 1 ? "" : "s"}`;

export function parseTime(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function fmtLocal(iso, style = "short") {
  const date = parseTime(iso);
  if (!date) return "–";
  return style === "full"
    ? date.toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" })
    : date.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

export function fmtRelative(iso) {
  const date = parseTime(iso);
  if (!date) return "";
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (abs < 60) return rtf.format(seconds, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86400), "day");
}

/** <time> with local time as text and the full timestamp on hover. */
export function timeNode(iso, style = "short") {
  const date = parseTime(iso);
  if (!date) return el("span", { className: "text-body-secondary", text: "–" });
  return el("time", {
    text: fmtLocal(iso, style),
    attrs: { datetime: iso, title: `${fmtLocal(iso, "full")} (${iso})` },
  });
}

export function fmtBytes(bytes) {
  if (typeof bytes !== "number") return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

export function basename(path) {
  if (!path) return "";
  const parts = String(path).split(/[\\/]/);
  return parts[parts.length - 1] || String(path);
}
