import type { SessionDetails } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers, GatewayApi } from "./support/api.ts";
import { describeInBrowser, launchBrowser, newPersonContext } from "./support/browser.ts";
import { admitPatient, expectVideoPlaying, logIn } from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

// What the in-page code below touches (the tests compile without the DOM library).
interface PageSender {
  track: { kind: string } | null;
  getParameters(): { encodings?: { active?: boolean; scaleResolutionDownBy?: number }[] };
}
interface PagePeer {
  connectionState: string;
  getSenders(): PageSender[];
}

/**
 * The patient's browser reports a weak link while `__weakNetwork` is set: every getStats()
 * answer (what the app reads every 2 s) says 30 % of what it sends is lost, a 1 s round trip and
 * 50 kbit/s available — the real report otherwise. Nothing else of the call is touched.
 */
function degradableStats() {
  const w = globalThis as unknown as {
    __weakNetwork: boolean;
    RTCPeerConnection: { prototype: { getStats(...args: unknown[]): Promise<Map<string, Record<string, unknown>>> } };
  };
  w.__weakNetwork = false;
  const real = w.RTCPeerConnection.prototype.getStats;
  w.RTCPeerConnection.prototype.getStats = async function (this: unknown, ...args: unknown[]) {
    const report = await real.apply(this, args);
    if (!w.__weakNetwork) return report;
    const weak = new Map<string, Record<string, unknown>>();
    report.forEach((stat, id) => {
      const copy = { ...stat };
      if (copy.type === "candidate-pair") {
        copy.availableOutgoingBitrate = 50_000;
        copy.currentRoundTripTime = 1;
      }
      if (copy.type === "remote-inbound-rtp") {
        copy.fractionLost = 0.3;
        copy.roundTripTime = 1;
      }
      weak.set(id, copy);
    });
    return weak;
  };
}

/** Whether the page's live peer connections send video: the video sender's first encoding. */
function videoSent(page: Page): Promise<(boolean | undefined)[]> {
  return page.evaluate(() => {
    const w = globalThis as unknown as { __e2ePeers: PagePeer[] };
    return w.__e2ePeers
      .filter((peer) => peer.connectionState === "connected")
      .flatMap((peer) => peer.getSenders())
      .filter((sender) => sender.track?.kind === "video")
      .map((sender) => sender.getParameters().encodings?.[0]?.active);
  });
}

/**
 * Weak-network adaptation and the quality record (issue 12), in two real browsers: the patient's
 * stats turn bad, their call goes audio-only and both sides say so; the stats recover and video
 * comes back; at the end both browsers' quality summaries are in the session's details.
 */
describeInBrowser("a consultation on a weak network: audio-only fallback and the quality record", () => {
  let stack: E2eStack;
  let browser: Browser;
  let api: GatewayApi;
  let doctorToken: string;

  beforeAll(async () => {
    stack = await startE2eStack();
    browser = await launchBrowser();
    api = new GatewayApi(stack.origin);
    doctorToken = await api.login(demoUsers.doctor);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("the patient's weak link goes audio-only with a notice on both sides, recovers, and both summaries are stored", async () => {
    const patientContext = await newPersonContext(browser, { phone: true });
    await patientContext.addInitScript(degradableStats);
    const patient = await patientContext.newPage();
    await logIn(patient, stack.origin, demoUsers.patient);
    const doctor = await (await newPersonContext(browser)).newPage();
    await logIn(doctor, stack.origin, demoUsers.doctor);

    const startable = doctor
      .getByRole("row")
      .filter({ has: doctor.getByRole("button", { name: "Start Video", disabled: false }) });
    await startable.first().getByRole("button", { name: "Start Video" }).click();
    await doctor.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    const sessionId = /\/sessions\/(sess-[0-9a-f-]+)\/call/.exec(doctor.url())![1]!;
    await patient.getByRole("button", { name: "Join", disabled: false }).click({ timeout: 15_000 });
    await patient.getByRole("button", { name: "I agree" }).click();
    await admitPatient(doctor);
    await Promise.all([expectVideoPlaying(doctor, "Patient video"), expectVideoPlaying(patient, "Doctor video")]);
    expect(await videoSent(patient)).toEqual([true]);

    // The link turns bad: after two bad samples (~4 s) the patient sends no video.
    await patient.evaluate(() => {
      (globalThis as unknown as { __weakNetwork: boolean }).__weakNetwork = true;
    });
    await patient.getByText("Your connection is weak — switched to audio only").waitFor({ timeout: 15_000 });
    const patientName = (await api.call<SessionDetails>("GET", `/video/api/video/sessions/${sessionId}`, doctorToken))
      .patient_name;
    await doctor.getByText(`${patientName}'s connection is weak — audio only`).waitFor({ timeout: 10_000 });
    await doctor.getByText("Audio only (weak connection)").waitFor();
    await eventually("the patient's video sender to be inactive", async () =>
      (await videoSent(patient)).join() === "false" ? true : undefined,
    );

    // It recovers: five good samples per level (~10 s), and video is sent again, at the lowest level first.
    await patient.evaluate(() => {
      (globalThis as unknown as { __weakNetwork: boolean }).__weakNetwork = false;
    });
    await doctor
      .getByText(`${patientName}'s connection is weak — audio only`)
      .waitFor({ state: "detached", timeout: 25_000 });
    await patient.getByText("Your connection is weak — switched to audio only").waitFor({ state: "detached" });
    expect(await videoSent(patient)).toEqual([true]);
    await expectVideoPlaying(doctor, "Patient video");

    await doctor.getByRole("button", { name: "End Call" }).click();
    await doctor
      .getByRole("dialog", { name: "End the consultation?" })
      .getByRole("button", { name: "End consultation" })
      .click();
    // The patient's window learns it from the signalling (session.ended) and sends its summary then.
    await patient.getByText("The consultation has ended").waitFor();

    // Both browsers sent their summary at hang-up (keepalive fetch): the details carry them.
    const reports = await eventually(
      "both sides' quality reports",
      async () => {
        const session = await api.call<SessionDetails>("GET", `/video/api/video/sessions/${sessionId}`, doctorToken);
        return session.quality_reports.length === 2 ? session.quality_reports : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    const [doctorReport, patientReport] = reports;
    expect(doctorReport).toMatchObject({ side: "DOCTOR", audio_only_seconds: 0 });
    expect(patientReport?.side).toBe("PATIENT");
    expect(patientReport?.audio_only_seconds).toBeGreaterThanOrEqual(8);
    expect(patientReport?.call_seconds).toBeGreaterThan(patientReport?.audio_only_seconds ?? 0);
    for (const report of reports) {
      expect(report.sent_resolution).toMatch(/^\d+x\d+$/);
      expect(report.rtt_ms_median).not.toBeNull();
      expect(report.outgoing_kbps_median).toBeGreaterThan(0);
      expect(report.relay_seconds).toBe(0); // no TURN in this stack: a direct path
    }
  }, 120_000);
});
