import type { SessionDetails, UsageResponse } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers, GatewayApi } from "./support/api.ts";
import { describeInBrowser, launchBrowser, newPersonContext } from "./support/browser.ts";
import { buildWebWithFakeChime, type ChimeWebBuild } from "./support/chime-web-build.ts";
import { type FakeChimeApi, startFakeChimeApi } from "./support/fake-chime-api.ts";
import type { FakeChimeRecord } from "./support/fake-chime-sdk.ts";
import { admitPatient, expectVideoPlaying, logIn, screenshot } from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

/**
 * Records what the page's WebSockets receive (the presence socket's messages) on
 * `window.__presence`, so the test reads what the patient's window heard.
 */
const PRESENCE_SPY = `(() => {
  const Native = window.WebSocket;
  const heard = [];
  window.__presence = heard;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener("message", (event) => {
        try { heard.push(JSON.parse(String(event.data))); } catch {}
      });
    }
  };
})();`;

/**
 * The web app's Chime call (MEDIA_PROVIDER=chime) in Chromium: the app's own ChimeCall, built with
 * a recorded fake in place of amazon-chime-sdk-js (support/fake-chime-sdk.ts), against the whole
 * stack whose video service talks to a fake Chime SDK Meetings API over HTTP with the real AWS
 * client (support/fake-chime-api.ts, reached through AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS).
 * Media is Chime's (faked); attendance is the video service's presence socket, which is real.
 * The doctor and the patient are both browsers: the waiting patient's window gets no Chime
 * JoinToken until admitted (then fetches it), and each window sends its quality summary.
 */
describeInBrowser("a Chime call in the browser: SDK calls, presence socket and attendance", () => {
  let chimeApi: FakeChimeApi;
  let build: ChimeWebBuild;
  let stack: E2eStack;
  let browser: Browser;
  let api: GatewayApi;
  let doctorToken: string;
  let context: BrowserContext;
  let doctor: Page;
  let sessionId: string;
  let patientContext: BrowserContext | undefined;
  let patient: Page;
  let patientToken: string;
  let patientAttendeeId: string;
  const savedEnv: Record<string, string | undefined> = {};
  // The AWS SDK reads these from the process environment (this test file has its own process).
  const awsEnv = {
    AWS_ACCESS_KEY_ID: "AKIAFAKECHIMETEST000",
    AWS_SECRET_ACCESS_KEY: "fake-secret-for-the-fake-chime-api",
    AWS_REGION: "us-east-1",
  };

  beforeAll(async () => {
    chimeApi = await startFakeChimeApi();
    for (const [name, value] of Object.entries({ ...awsEnv, AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS: chimeApi.url })) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    build = await buildWebWithFakeChime();
    stack = await startE2eStack({
      web: false,
      env: { MEDIA_PROVIDER: "chime", AWS_REGION: "us-east-1", WEB_DIST_DIR: build.dir },
    });
    browser = await launchBrowser();
    api = new GatewayApi(stack.origin);
    doctorToken = await api.login(demoUsers.doctor);
  });

  afterAll(async () => {
    await patientContext?.close();
    await browser?.close();
    await stack?.close();
    await build?.remove();
    await chimeApi?.close();
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const session = () => api.call<SessionDetails>("GET", `/video/api/video/sessions/${sessionId}`, doctorToken);
  const credentialsPath = () =>
    `/video/api/video/sessions/${sessionId}/attendees/${patientAttendeeId}/media-credentials`;
  /** A GET's status and error code (GatewayApi.call throws on refusals). */
  const statusOf = async (path: string, token: string) => {
    const response = await fetch(`${stack.origin}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { code?: string };
    return { status: response.status, code: body.code };
  };
  /** What the patient's window heard on its presence socket. */
  const patientMessages = async () =>
    patient.evaluate(
      () =>
        ((globalThis as unknown as { __presence?: { type: string; from?: string; audio?: boolean }[] }).__presence ??
          []) as { type: string; from?: string; audio?: boolean }[],
    );
  const fakeChime = (page: Page) =>
    page.evaluate(() => {
      const record = (globalThis as unknown as { __fakeChime?: FakeChimeRecord }).__fakeChime;
      return record ? { calls: [...record.calls], sessions: [...record.sessions] } : null;
    });

  it("the doctor starts: the Chime meeting session starts with the camera, the own tile plays, the presence socket counts", async () => {
    context = await newPersonContext(browser);
    doctor = await context.newPage();
    await logIn(doctor, stack.origin, demoUsers.doctor);
    const startable = doctor
      .getByRole("row")
      .filter({ has: doctor.getByRole("button", { name: "Start Video", disabled: false }) });
    await startable.first().getByRole("button", { name: "Start Video" }).click();
    await doctor.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    sessionId = /\/sessions\/(sess-[0-9a-f-]+)\/call/.exec(doctor.url())![1]!;

    await expectVideoPlaying(doctor, "Your video");
    const created = chimeApi.calls.find((c) => c.operation === "CreateAttendee" && c.externalUserId);
    expect(chimeApi.calls.map((c) => c.operation)).toEqual(["CreateMeeting", "CreateAttendee"]);
    const sdk = await eventually("the fake meeting session started", async () => {
      const record = await fakeChime(doctor);
      return record?.calls.includes("startLocalVideoTile") ? record : undefined;
    });
    // The SDK got Chime's attendee (not the service's presence token), camera and microphone in.
    expect(sdk.sessions).toEqual([created?.attendeeId]);
    expect(sdk.calls).toEqual(
      expect.arrayContaining(["addObserver", "startAudioInput", "startVideoInput", "bindAudioElement", "start"]),
    );

    // The presence socket is open: the server holds an open attendance interval for the doctor
    // (CONNECTED, no leave) and meters it (usage grows while the call lasts).
    const connected = await eventually("the doctor CONNECTED", async () => {
      const { attendees } = await session();
      return attendees.find((a) => a.user_type === "DOCTOR" && a.status === "CONNECTED");
    });
    expect(connected).toMatchObject({ attendee_id: created?.attendeeId, leave_time: null });
    expect(connected.join_time).not.toBeNull();
    const metered = await eventually(
      "the Chime minutes metered",
      async () => {
        const usage = await api.call<UsageResponse>("GET", "/video/api/video/metrics/usage", doctorToken);
        const row = usage.sessions.find((s) => s.session_id === sessionId);
        return row && row.attendee_minutes > 0 ? row : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(metered.attendees).toBe(1);
  });

  it("the patient waits with no Chime credentials; admitted, their window fetches them and Chime's media starts", async () => {
    patientContext = await newPersonContext(browser);
    await patientContext.addInitScript({ content: PRESENCE_SPY });
    patient = await patientContext.newPage();
    const credentialRequests: string[] = [];
    patient.on("request", (request) => {
      if (request.url().includes("/media-credentials")) credentialRequests.push(request.url());
    });
    patientToken = await api.login(demoUsers.patient);
    await logIn(patient, stack.origin, demoUsers.patient);
    await patient.getByRole("button", { name: "Join", disabled: false }).click({ timeout: 20_000 });
    await patient.getByRole("button", { name: "I agree" }).click();
    await patient.getByText(`Waiting for ${demoUsers.doctor.name} to let you in`).waitFor({ timeout: 20_000 });
    const waiting = await eventually("the patient's presence socket connected", async () => {
      const { attendees } = await session();
      return attendees.find((a) => a.user_type === "PATIENT" && a.status === "CONNECTED");
    });
    patientAttendeeId = waiting.attendee_id;
    // The waiting room is the server's (issue 12): the join answered no Chime JoinToken, so the
    // patient's window has no Chime media session, and the credentials route refuses them.
    expect((await fakeChime(patient))?.sessions ?? []).toEqual([]);
    expect(await statusOf(credentialsPath(), patientToken)).toEqual({ status: 403, code: "NOT_ADMITTED" });
    expect(credentialRequests).toEqual([]);

    await admitPatient(doctor);
    const patientSdk = await eventually("the patient's Chime media started", async () => {
      const record = await fakeChime(patient);
      return record?.calls.includes("startLocalVideoTile") ? record : undefined;
    });
    // Fetched once admitted: the fake SDK refuses a configuration without Chime's JoinToken.
    expect(patientSdk.sessions).toEqual([patientAttendeeId]);
    expect(credentialRequests).toHaveLength(1);
    expect(await statusOf(credentialsPath(), patientToken)).toEqual({ status: 200, code: undefined });
    // The doctor's token does not open the patient's attendee.
    expect(await statusOf(credentialsPath(), doctorToken)).toEqual({ status: 403, code: "FORBIDDEN" });

    // Chime's media brings the patient's video; the fake SDK plays it as a remote tile.
    await doctor.evaluate((attendeeId) => {
      (globalThis as unknown as { __fakeChime: FakeChimeRecord }).__fakeChime.addRemote(attendeeId);
    }, patientAttendeeId);
    await expectVideoPlaying(doctor, "Patient video");
    await doctor
      .getByRole("region", { name: "Participants" })
      .getByText(`${demoUsers.patient.name} (Patient)`, { exact: false })
      .first()
      .waitFor();
    await screenshot(doctor, "chime-call-doctor");
    const attendees = (await session()).attendees.filter((a) => a.status === "CONNECTED");
    expect(attendees.map((a) => a.user_type).sort()).toEqual(["DOCTOR", "PATIENT"]);
  });

  it("mute and unmute call the SDK (and the others hear the media state over the presence socket)", async () => {
    const doctorId = (await session()).attendees.find((a) => a.user_type === "DOCTOR")?.attendee_id;
    const controls = doctor.getByRole("toolbar", { name: "Call controls" });
    await controls.getByRole("button", { name: "Mute", exact: true }).click();
    await controls.getByRole("button", { name: "Unmute", exact: true }).waitFor();
    expect((await fakeChime(doctor))?.calls).toContain("realtimeMuteLocalAudio");
    await eventually("the patient hears the doctor muted", async () =>
      (await patientMessages()).some((m) => m.type === "media" && m.from === doctorId && m.audio === false)
        ? true
        : undefined,
    );
    await controls.getByRole("button", { name: "Unmute", exact: true }).click();
    await controls.getByRole("button", { name: "Mute", exact: true }).waitFor();
    expect((await fakeChime(doctor))?.calls).toContain("realtimeUnmuteLocalAudio");
    // Participant control reaches a Chime client through the same socket: the doctor asks the
    // patient's browser to mute.
    await doctor.getByRole("button", { name: `Mute ${demoUsers.patient.name}` }).click();
    await eventually("the patient asked to mute", async () =>
      (await patientMessages()).some((m) => m.type === "mute.requested") ? true : undefined,
    );
    // …and their window mutes Chime's microphone.
    await eventually("the patient's SDK muted", async () =>
      (await fakeChime(patient))?.calls.includes("realtimeMuteLocalAudio") ? true : undefined,
    );
  });

  it("End Call stops the meeting session, deletes the Chime meeting and closes the attendance", async () => {
    // A few of the SDK's stats readings in the patient's window too (one every 2 s), for its summary.
    await eventually(
      "the patient's stats read",
      async () =>
        ((await fakeChime(patient))?.calls.filter((c) => c === "getRTCPeerConnectionStats").length ?? 0) >= 3
          ? true
          : undefined,
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    await doctor.getByRole("button", { name: "End Call" }).click();
    const dialog = doctor.getByRole("dialog", { name: "End the consultation?" });
    await dialog.getByRole("button", { name: "End consultation" }).click();
    await doctor.getByRole("heading", { name: "Session Completed" }).waitFor();

    const calls = (await fakeChime(doctor))?.calls ?? [];
    // Leaving the call window (a navigation within the app) stops the SDK's meeting session.
    expect(calls).toContain("stop");
    expect(calls.lastIndexOf("removeObserver")).toBeLessThan(calls.lastIndexOf("stop"));
    await eventually("DeleteMeeting at Chime", async () =>
      chimeApi.calls.some((c) => c.operation === "DeleteMeeting") ? true : undefined,
    );
    const ended = await session();
    expect(ended.status).toBe("COMPLETED");
    expect(ended.attendees.every((a) => a.status === "LEFT" || a.status === "REPLACED")).toBe(true);
    expect(ended.attendees.every((a) => a.leave_time !== null)).toBe(true);
    // The patient's presence socket heard the end, and their window stopped Chime's media.
    await eventually("the patient's socket told session.ended", async () =>
      (await patientMessages()).some((m) => m.type === "session.ended") ? true : undefined,
    );
    expect((await fakeChime(patient))?.calls).toContain("stop");
    // The quality record (issue 12) under Chime: each window sent its summary, from the SDK's stats.
    const reports = await eventually("both quality summaries stored", async () => {
      const { quality_reports } = await session();
      return quality_reports.length === 2 ? quality_reports : undefined;
    });
    expect(reports.map((r) => r.side).sort()).toEqual(["DOCTOR", "PATIENT"]);
    for (const report of reports) {
      expect(report).toMatchObject({ rtt_ms_median: 40, sent_resolution: "640x480", audio_only_seconds: 0 });
      expect(report.call_seconds).toBeGreaterThan(0);
      expect(report.outgoing_kbps_median).toBeGreaterThan(300);
    }
    const usage = await api.call<UsageResponse>("GET", "/video/api/video/metrics/usage", doctorToken);
    expect(usage.sessions.find((s) => s.session_id === sessionId)).toMatchObject({ attendees: 2 });
  });
});
