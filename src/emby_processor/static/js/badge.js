/* The number of items that need a person, where it is seen from another tab: in the title
 * ("(3) emby-processor") and on the favicon (the icon with a red count drawn over it, an SVG
 * made here; the plain icon again when nothing needs you). */
const TITLE = "emby-processor";
const ICON = "/static/favicon.svg";
/** the plain icon's shapes (static/favicon.svg without its green dot) */
const BASE = '<rect width="32" height="32" rx="7" fill="#0d6efd"/><path d="M9 8h14v3H13v3.5h9v3h-9V21h10v3H9z" fill="#fff"/>';

let shownCount = 0;

function badgeIcon(count) {
  const text = count > 99 ? "99+" : String(count);
  const size = text.length > 2 ? 9 : text.length > 1 ? 11 : 13;
  const svgText = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${BASE}`
    + '<circle cx="22" cy="10" r="10" fill="#dc3545" stroke="#fff" stroke-width="1.5"/>'
    + `<text x="22" y="${10 + size * 0.36}" font-family="Arial,sans-serif" font-weight="700" font-size="${size}" text-anchor="middle" fill="#fff">${text}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svgText)}`;
}

/** Shows `count` (items that need a person) in the tab's title and icon. */
export function showNeedsYou(count) {
  const n = Math.max(0, Number(count) || 0);
  if (n === shownCount && document.title.startsWith(n ? `(${n})` : TITLE)) return;
  shownCount = n;
  document.title = n ? `(${n}) ${TITLE}` : TITLE;
  const link = document.querySelector('link[rel="icon"]');
  if (link) link.href = n ? badgeIcon(n) : ICON;
  document.documentElement.dataset.needsYou = String(n);
}
