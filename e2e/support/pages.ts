import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { DemoPerson } from "./api.ts";

export { clickAndTime as clickThenFirstFrame, firstFrameAt, spaNavigate } from "./browser-timing.ts";

const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts");

// What the in-page functions below touch (the tests compile without the DOM library).
interface PageVideo {
  readyState: number;
  videoWidth: number;
  currentTime: number;
  paused: boolean;
  srcObject: PageStream | null;
}
interface PageTrack {
  kind: string;
  enabled: boolean;
  readyState: string;
}
interface PageStream {
  getTracks(): PageTrack[];
}
interface PageSender {
  track: PageTrack | null;
}
interface PagePeer {
  connectionState: string;
  getSenders(): PageSender[];
  getStats(): Promise<Map<string, { type: string; kind?: string; packetsReceived?: number }>>;
}
interface PageGlobals {
  document: {
    querySelector(selector: string): PageVideo | null;
  };
  __e2ePeers: PagePeer[];
}

/** Opens `path` (the login page, or a page behind it) and logs in as `person`. */
export async function logIn(page: Page, origin: string, person: DemoPerson, path = "/login"): Promise<void> {
  await page.goto(`${origin}${path}`);
  await page.getByRole("textbox", { name: "Email" }).fill(person.email);
  await page.getByRole("textbox", { name: "Password" }).fill(person.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

export interface VideoSample {
  readyState: number;
  videoWidth: number;
  currentTime: number;
  paused: boolean;
}

function sampleVideo(page: Page, label: string): Promise<VideoSample | null> {
  return page.evaluate((label) => {
    const w = globalThis as unknown as PageGlobals;
    const video = w.document.querySelector(`video[aria-label="${label}"]`);
    if (!video) return null;
    const { readyState, videoWidth, currentTime, paused } = video;
    return { readyState, videoWidth, currentTime, paused };
  }, label);
}

/**
 * The video shows moving pictures: playing, a decoded frame with a width, and its
 * currentTime advancing between two samples a second apart (waits up to `timeoutMs` for the
 * first frame, e.g. while the peer connection is negotiated).
 */
export async function expectVideoPlaying(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(
    (label) => {
      const w = globalThis as unknown as PageGlobals;
      const video = w.document.querySelector(`video[aria-label="${label}"]`);
      return !!video && !video.paused && video.readyState >= 2 && video.videoWidth > 0;
    },
    label,
    { timeout: timeoutMs },
  );
  const first = await sampleVideo(page, label);
  await page.waitForTimeout(1000);
  const second = await sampleVideo(page, label);
  expect(first?.videoWidth, `${label}: videoWidth`).toBeGreaterThan(0);
  expect(second?.paused, `${label}: paused`).toBe(false);
  expect(second?.videoWidth, `${label}: videoWidth`).toBeGreaterThan(0);
  expect(second!.currentTime, `${label}: currentTime advances`).toBeGreaterThan(first!.currentTime);
}

export interface SentTracks {
  /** Tracks of the local camera/microphone stream shown in "Your video". */
  local: { kind: string; enabled: boolean }[];
  /** Tracks the live peer connections send. */
  sent: { kind: string; enabled: boolean }[];
}

export function sentTracks(page: Page): Promise<SentTracks> {
  return page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    const local = w.document.querySelector('video[aria-label="Your video"]')?.srcObject?.getTracks() ?? [];
    const sent = w.__e2ePeers
      .filter((peer) => peer.connectionState === "connected")
      .flatMap((peer) => peer.getSenders())
      .flatMap((sender) => (sender.track ? [sender.track] : []));
    const describe = (t: PageTrack) => ({ kind: t.kind, enabled: t.enabled });
    return { local: local.map(describe), sent: sent.map(describe) };
  });
}

/** Audio packets received so far over the live peer connections (the other side is heard). */
export function audioPacketsReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const w = globalThis as unknown as PageGlobals;
    let packets = 0;
    for (const peer of w.__e2ePeers.filter((p) => p.connectionState === "connected")) {
      for (const report of (await peer.getStats()).values()) {
        if (report.type === "inbound-rtp" && report.kind === "audio") packets += report.packetsReceived ?? 0;
      }
    }
    return packets;
  });
}

/**
 * The doctor lets the waiting patient in (the waiting room, issue 12): the call window's
 * "Patient waiting" row and its Admit button. Every consultation test does this once the
 * patient pressed Join; the patient meets the doctor afterwards (a rejoin keeps the admission).
 */
export async function admitPatient(doctor: Page, timeoutMs = 20_000): Promise<void> {
  const lobby = doctor.getByRole("region", { name: "Waiting room" });
  await lobby
    .getByText(/^Patient waiting/)
    .first()
    .waitFor({ timeout: timeoutMs });
  await lobby
    .getByRole("button", { name: /^Admit/ })
    .first()
    .click();
}

/**
 * The doctor turns "Admit the patient automatically" on in the call window (before the patient
 * joins): the patient then meets the doctor without waiting for Admit. Returns once the server's
 * lobby says it is on.
 */
export async function enableAutoAdmit(doctor: Page, timeoutMs = 20_000): Promise<void> {
  const toggle = doctor.getByRole("switch", { name: "Admit the patient automatically" });
  await toggle.waitFor({ timeout: timeoutMs });
  if (!(await toggle.isChecked())) await toggle.click();
  await expect.poll(() => toggle.isChecked(), { timeout: timeoutMs }).toBe(true);
}

/** axe-core on the page as shown: no "serious" or "critical" violation (all printed if any). */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = severe.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
  }));
  expect
    .soft(report, `${screen}: serious/critical accessibility violations\n${JSON.stringify(report, null, 2)}`)
    .toEqual([]);
}

/** A screenshot of the screen as shown, to e2e/artifacts/<name>.png (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.mouse.move(0, 0); // no hover effect (chart tooltip) left from the last click
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), animations: "disabled", fullPage: true });
}
