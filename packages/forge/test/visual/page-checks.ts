// What the visual suite checks on a page, and how it makes a page stable for a screenshot:
// no horizontal overflow of the document, a primary action that is visible, not covered
// and not clipped and inside the viewport horizontally; fonts and images loaded; dynamic
// text (times, commit ids, ULIDs, the test forge's random port) replaced by fixed text.
import type { Locator, Page } from "playwright-core";

// The functions below passed to page.evaluate run in the browser; the project compiles
// without the DOM library, so these module-local declarations stand for its globals there.
declare const document: any;
declare const window: any;
declare const NodeFilter: any;
declare function getComputedStyle(el: any): any;

/** How far the document is wider than the viewport, and the elements sticking out. */
export async function horizontalOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const over = document.documentElement.scrollWidth - window.innerWidth;
    if (over <= 0) return null;
    const culprits: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right <= window.innerWidth + 0.5 || r.width === 0) continue;
      let clipped = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
        if (getComputedStyle(a).overflowX !== "visible") clipped = true;
      if (clipped) continue;
      const cls = typeof el.className === "string" && el.className ? `.${el.className.split(" ")[0]}` : "";
      culprits.push(`${el.tagName.toLowerCase()}${cls} (right edge ${Math.round(r.right)})`);
      if (culprits.length === 3) break;
    }
    return `document is ${over}px wider than the viewport: ${culprits.join(", ")}`;
  });
}

/** Null when the action is shown whole: visible, not zero-size, inside the viewport, not covered. */
export async function actionProblem(action: Locator, name: string): Promise<string | null> {
  try {
    await action.waitFor({ state: "visible", timeout: 5_000 });
  } catch {
    return `primary action ${name} is not visible`;
  }
  await action.scrollIntoViewIfNeeded();
  const problem = await action.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return `has no size (${r.width}×${r.height})`;
    if (r.left < -0.5 || r.right > window.innerWidth + 0.5)
      return `sticks out of the viewport (left ${Math.round(r.left)}, right ${Math.round(r.right)})`;
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === "visible" && style.overflowY === "visible") continue;
      const box = a.getBoundingClientRect();
      if (
        r.left < box.left - 0.5 ||
        r.right > box.right + 0.5 ||
        r.top < box.top - 0.5 ||
        r.bottom > box.bottom + 0.5
      )
        return `is clipped by its container <${a.tagName.toLowerCase()}>`;
    }
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(el.contains(hit) || hit.contains(el) || el.labels?.[0]?.contains(hit)))
      return `is covered by <${hit?.tagName.toLowerCase() ?? "nothing"}>`;
    return null;
  });
  return problem ? `primary action ${name} ${problem}` : null;
}

/** Waits for web fonts and for every image (lazy ones too) to have loaded. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await Promise.all(
      [...document.images].map((img) => {
        img.loading = "eager";
        return img.complete
          ? null
          : new Promise((done) => {
              img.addEventListener("load", done, { once: true });
              img.addEventListener("error", done, { once: true });
            });
      }),
    );
  });
}

/** Scrolls the window and every scrolled box (code, tables) back to their start. */
export async function resetScroll(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const el of document.querySelectorAll("*")) if (el.scrollLeft || el.scrollTop) el.scrollTo(0, 0);
    window.scrollTo(0, 0);
  });
}

/**
 * Replaces text that changes from run to run with fixed text of the same shape: relative
 * and absolute times, commit ids, ULIDs and the test forge's host and port.
 */
export async function freezeDynamicText(page: Page): Promise<void> {
  await page.evaluate(() => {
    const rules: [RegExp, string | ((m: string) => string)][] = [
      [/127\.0\.0\.1:\d+/g, "forge.example:8080"],
      [/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, "01JAN00000000000000000000Z"],
      // Commit ids, short or full; one in about 27 short ids is all digits, so digits alone count.
      [/\b(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b/g, (m) => "0".repeat(m.length)],
      [/\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?\b/g, "2026-01-01"],
      [/\b(\d+|an?) (second|minute|hour|day|week|month|year)s? ago\b/g, "just now"],
    ];
    const fix = (s: string) => rules.reduce((t, [re, by]) => t.replace(re, by as string), s);
    for (const time of document.querySelectorAll("time")) time.textContent = "2026-01-01";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const fixed = fix(n.nodeValue ?? "");
      if (fixed !== n.nodeValue) n.nodeValue = fixed;
    }
    for (const input of document.querySelectorAll("input, textarea")) input.value = fix(input.value);
  });
}
