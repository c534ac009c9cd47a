// A Lighthouse-style tap-target check for browser tests: every visible link, button and form
// control is at least 44×44 CSS px, or nothing else a finger could hit lies within the 44×44
// box centred on it. Returns the offenders as "text (w×h) near other-text".
import type { Page } from "playwright-core";

export const MIN_TAP = 44;

const PROBE = `(() => {
  const MIN = ${MIN_TAP};
  const sel = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  const label = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ' "' + (el.getAttribute("aria-label") || el.textContent || el.getAttribute("name") || "").trim().replace(/\\s+/g, " ").slice(0, 40) + '"';
  const boxes = [];
  for (const el of document.querySelectorAll(sel)) {
    // Hidden, or inside a closed <details> (content-visibility: hidden): nothing to tap.
    if (!el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true })) continue;
    // A link inside a sentence is exempt (as in Lighthouse): its line is the target.
    if (el.tagName === "A" && getComputedStyle(el).display === "inline" && el.closest("p, li, td, dd, blockquote") && !el.closest("nav")) continue;
    for (const r of el.getClientRects()) {
      if (r.width === 0 || r.height === 0) continue;
      boxes.push({ el, r, text: label(el) });
    }
  }
  const out = [];
  for (const a of boxes) {
    if (a.r.width >= MIN && a.r.height >= MIN) continue;
    const cx = a.r.left + a.r.width / 2, cy = a.r.top + a.r.height / 2;
    const w = Math.max(MIN, a.r.width) / 2, h = Math.max(MIN, a.r.height) / 2;
    const near = boxes.find((b) => b.el !== a.el && !b.el.contains(a.el) && !a.el.contains(b.el) &&
      b.r.left < cx + w && b.r.right > cx - w && b.r.top < cy + h && b.r.bottom > cy - h);
    if (near) out.push(a.text + " (" + Math.round(a.r.width) + "×" + Math.round(a.r.height) + ") near " + near.text);
  }
  return out;
})()`;

export function smallTapTargets(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(PROBE);
}
