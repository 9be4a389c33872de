import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { describe } from "vitest";
import { chromiumFlags, chromiumPath } from "./chromium.ts";

const skipMessage = "Browser tests skipped: install Chromium with `apt-get install -y chromium`";

/**
 * `describe` when Chromium is installed. Without it the suite is skipped with one line
 * saying how to install it, except under REQUIRE_E2E=1 (CI), where it fails: the browser
 * tests must never pass by not running.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (existsSync(chromiumPath)) {
    describe(name, body);
    return;
  }
  if (process.env.REQUIRE_E2E === "1") {
    throw new Error(`REQUIRE_E2E=1 but there is no Chromium at ${chromiumPath}: apt-get install -y chromium`);
  }
  process.stderr.write(`${skipMessage}\n`);
  describe.skip(name, body);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags, timeout: 30_000 });
}

export interface ContextOptions {
  /** Phone-sized screen (the patient's). */
  phone?: boolean;
}

/**
 * A fresh browser profile (its own storage) for one person. Every RTCPeerConnection the app
 * creates is recorded on `window.__e2ePeers`, so a test can read what is actually sent.
 */
export async function newPersonContext(browser: Browser, options: ContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    permissions: ["camera", "microphone"],
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    ...(options.phone ? { isMobile: true, hasTouch: true } : {}),
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(15_000);
  await context.addInitScript(() => {
    const w = globalThis as unknown as {
      RTCPeerConnection: new (...args: unknown[]) => object;
      __e2ePeers: object[];
    };
    const Original = w.RTCPeerConnection;
    const peers: object[] = [];
    w.__e2ePeers = peers;
    w.RTCPeerConnection = class extends Original {
      constructor(...args: unknown[]) {
        super(...args);
        peers.push(this);
      }
    };
  });
  return context;
}
