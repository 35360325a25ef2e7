/* Poster thumbnails in the queue's rows and cards (GET /api/queue/{id}/poster, by item id only).
 * A row names its thumbnail (`poster_url`) only when a poster lies beside the filed video, so the
 * page never asks for one in vain; without one, or if it fails to load, a neutral placeholder of
 * the same size keeps the rows aligned. Thumbnails load lazily, as they scroll into view. */
import { el } from "./dom.js";

/** The 2x thumbnail of a row's URL (96 -> 192 px wide), for sharp covers on dense screens. */
function doubled(url) {
  return url.replace(/([?&]size=)96\b/, "$1192");
}

function placeholder(className) {
  return el("span", { className: `poster-thumb poster-none ${className}`, attrs: { "aria-hidden": "true" } });
}

/** The thumbnail of `item` (an <img>, or the placeholder), `className` for its size. The image
 * is decorative next to the code and title, so its alternative text is empty. */
export function posterThumb(item, className = "") {
  if (!item.poster_url) return placeholder(className);
  const img = el("img", {
    className: `poster-thumb ${className}`,
    attrs: {
      src: item.poster_url, srcset: `${item.poster_url} 1x, ${doubled(item.poster_url)} 2x`,
      alt: "", loading: "lazy", decoding: "async", width: 48, height: 72,
    },
  });
  img.addEventListener("error", () => img.replaceWith(placeholder(className)), { once: true });
  return img;
}
