/* Light and dark: follows the system until the user picks one (remembered in local storage). The
 * page's inline script sets the theme before the first paint; this keeps the toggle in step. */
import { $ } from "./dom.js";
import { THEME_KEY } from "./settings.js";

function systemDark() {
  return Boolean(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
}

function storedTheme() {
  try {
    return localStorage.getItem(THEME_KEY);
  } catch (e) {
    return null;
  }
}

function applyTheme(theme) {
  document.documentElement.setAttribute("data-bs-theme", theme);
  const button = $("theme-toggle");
  const dark = theme === "dark";
  button.setAttribute("aria-pressed", String(dark));
  button.textContent = dark ? "Light mode" : "Dark mode";
  button.title = storedTheme() ? "Your choice (click to switch)" : "Following the system setting (click to switch)";
}

function toggleTheme() {
  const next = document.documentElement.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
  try {
    // choosing what the system already says means "follow the system" again
    if ((next === "dark") === systemDark()) localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, next);
  } catch (e) {
    /* storage unavailable: the choice lasts for this page */
  }
  applyTheme(next);
}

export function wireTheme() {
  applyTheme(document.documentElement.getAttribute("data-bs-theme") || (systemDark() ? "dark" : "light"));
  $("theme-toggle").addEventListener("click", toggleTheme);
  if (window.matchMedia) {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", (e) => {
      if (!storedTheme()) applyTheme(e.matches ? "dark" : "light");
    });
  }
}
