import type { Page } from "playwright-core";

// The functions below run inside the page. The bench compiles without the DOM library (it
// is Node code), so the little of the DOM they touch is declared here.
interface PageVideo {
  readyState: number;
  videoWidth: number;
}
interface PageButton {
  textContent: string | null;
  disabled: boolean;
  click(): void;
}
interface PageGlobals {
  document: {
    querySelectorAll(selector: "button"): Iterable<PageButton>;
    querySelector(selector: string): PageVideo | null;
  };
  requestAnimationFrame(callback: () => void): number;
  history: { pushState(state: object, unused: string, url: string): void };
  dispatchEvent(event: unknown): boolean;
  PopStateEvent: new (type: string) => unknown;
}

/**
 * In-page timing, so a figure is not padded by the bench ↔ browser round trips: the click
 * happens inside the page and the clock is the page's (performance.timeOrigin + now() is a
 * wall clock shared by every page of the browser). A video counts as showing when it has
 * decoded a frame: readyState ≥ HAVE_CURRENT_DATA and a non-zero width.
 */
export async function clickAndTime(page: Page, buttonName: string, videoLabel: string, timeoutMs = 30_000) {
  return page.evaluate(
    async ({ buttonName, videoLabel, timeoutMs }) => {
      const w = globalThis as unknown as PageGlobals;
      const button = [...w.document.querySelectorAll("button")].find(
        (b) => b.textContent?.trim() === buttonName && !b.disabled,
      );
      if (!button) throw new Error(`no enabled button "${buttonName}"`);
      const clickedAt = performance.timeOrigin + performance.now();
      button.click();
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const video = w.document.querySelector(`video[aria-label="${videoLabel}"]`);
        if (video && video.readyState >= 2 && video.videoWidth > 0) {
          return { clickedAt, shownAt: performance.timeOrigin + performance.now() };
        }
        await new Promise((resolve) => w.requestAnimationFrame(() => resolve(null)));
      }
      throw new Error(`"${videoLabel}" showed no frame within ${timeoutMs} ms`);
    },
    { buttonName, videoLabel, timeoutMs },
  );
}

/** When (page wall clock) a video first shows a frame; polls until `timeoutMs`. */
export async function firstFrameAt(page: Page, videoLabel: string, timeoutMs = 30_000): Promise<number> {
  return page.evaluate(
    async ({ videoLabel, timeoutMs }) => {
      const w = globalThis as unknown as PageGlobals;
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const video = w.document.querySelector(`video[aria-label="${videoLabel}"]`);
        if (video && video.readyState >= 2 && video.videoWidth > 0) return performance.timeOrigin + performance.now();
        await new Promise((resolve) => w.requestAnimationFrame(() => resolve(null)));
      }
      throw new Error(`"${videoLabel}" showed no frame within ${timeoutMs} ms`);
    },
    { videoLabel, timeoutMs },
  );
}

/** Client-side navigation (tokens live in memory; a reload would sign the user out). */
export async function spaNavigate(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => {
    const w = globalThis as unknown as PageGlobals;
    w.history.pushState({}, "", p);
    w.dispatchEvent(new w.PopStateEvent("popstate"));
  }, path);
}
