import type { Appointment, SessionDetails } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers, GatewayApi } from "./support/api.ts";
import { launchBrowser, newPersonContext } from "./support/browser.ts";
import { admitPatient, audioPacketsReceived, expectVideoPlaying, logIn } from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";
import { describeInBrowserWithTurn, type LocalTurn, startTurnServer } from "./support/turn.ts";

// What the in-page code below touches (the tests compile without the DOM library).
interface PageStat {
  id: string;
  type: string;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  state?: string;
  candidateType?: string;
  address?: string;
  port?: number;
  relayProtocol?: string;
  url?: string;
}
interface PagePeer {
  connectionState: string;
  getConfiguration(): { iceTransportPolicy?: string; iceServers?: { urls: string | string[]; username?: string }[] };
  getStats(): Promise<{ values(): Iterable<PageStat> }>;
}

interface Candidate {
  type?: string;
  address?: string;
  port?: number;
  relayProtocol?: string;
  url?: string;
}
interface SelectedPath {
  policy?: string;
  turnUsernames: string[];
  pairState?: string;
  local?: Candidate;
  remote?: Candidate;
}

/** For each connected peer connection of the page: its ICE configuration and the candidate pair in use. */
function selectedPaths(page: Page): Promise<SelectedPath[]> {
  return page.evaluate(async () => {
    const w = globalThis as unknown as { __e2ePeers: PagePeer[] };
    const paths: SelectedPath[] = [];
    for (const peer of w.__e2ePeers.filter((p) => p.connectionState === "connected")) {
      const reports = [...(await peer.getStats()).values()];
      const byId = new Map(reports.map((r) => [r.id, r]));
      const pairId = reports.find((r) => r.type === "transport" && r.selectedCandidatePairId)?.selectedCandidatePairId;
      const pair = pairId ? byId.get(pairId) : undefined;
      const candidate = (id?: string): Candidate | undefined => {
        const c = id ? byId.get(id) : undefined;
        return c
          ? { type: c.candidateType, address: c.address, port: c.port, relayProtocol: c.relayProtocol, url: c.url }
          : undefined;
      };
      const config = peer.getConfiguration();
      paths.push({
        policy: config.iceTransportPolicy,
        turnUsernames: (config.iceServers ?? [])
          .filter((s) => [s.urls].flat().some((u) => u.startsWith("turn:")))
          .map((s) => s.username ?? ""),
        pairState: pair?.state,
        local: candidate(pair?.localCandidateId),
        remote: candidate(pair?.remoteCandidateId),
      });
    }
    return paths;
  });
}

/** The page's one connected peer connection, once its selected candidate pair has succeeded. */
async function onePath(page: Page, who: string): Promise<SelectedPath> {
  const paths = await eventually(
    `${who}: one connected peer connection with a selected candidate pair`,
    async () => {
      const paths = await selectedPaths(page);
      return paths.length === 1 && paths[0]!.pairState === "succeeded" ? paths : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 250 },
  );
  return paths[0]!;
}

/**
 * A whole consultation through a TURN relay only (issue 12): coturn on 127.0.0.1 with TURN REST
 * credentials, the stack told TURN_URLS, TURN_SECRET and ICE_TRANSPORT_POLICY=relay. The two
 * browsers may not use their host candidates, so the call only works if the video service hands
 * each person working, signed TURN credentials and the web app obeys the relay policy.
 */
describeInBrowserWithTurn("a consultation relayed through TURN only (ICE_TRANSPORT_POLICY=relay)", () => {
  let turn: LocalTurn;
  let stack: E2eStack;
  let browser: Browser;
  let api: GatewayApi;
  let doctorToken: string;
  let doctor: Page;
  let patient: Page;
  let sessionId: string;

  beforeAll(async () => {
    turn = await startTurnServer();
    stack = await startE2eStack({
      env: { TURN_URLS: turn.url, TURN_SECRET: turn.secret, ICE_TRANSPORT_POLICY: "relay" },
    });
    browser = await launchBrowser();
    api = new GatewayApi(stack.origin);
    doctorToken = await api.login(demoUsers.doctor);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await turn?.stop();
  });

  it("doctor and patient see and hear each other over relay candidates, then the doctor ends the call", async () => {
    const patientContext = await newPersonContext(browser, { phone: true });
    patient = await patientContext.newPage();
    await logIn(patient, stack.origin, demoUsers.patient);
    const doctorContext = await newPersonContext(browser);
    doctor = await doctorContext.newPage();
    await logIn(doctor, stack.origin, demoUsers.doctor);

    const startable = doctor
      .getByRole("row")
      .filter({ has: doctor.getByRole("button", { name: "Start Video", disabled: false }) });
    await startable.first().getByRole("button", { name: "Start Video" }).click();
    await doctor.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    sessionId = /\/sessions\/(sess-[0-9a-f-]+)\/call/.exec(doctor.url())![1]!;
    await expectVideoPlaying(doctor, "Your video");

    await patient.getByRole("button", { name: "Join", disabled: false }).click({ timeout: 15_000 });
    await patient.getByRole("button", { name: "I agree" }).click();
    // The waiting room (issue 12): the doctor lets the patient in.
    await admitPatient(doctor);
    await Promise.all([expectVideoPlaying(doctor, "Patient video"), expectVideoPlaying(patient, "Doctor video")]);
    const heardByDoctor = await audioPacketsReceived(doctor);
    const heardByPatient = await audioPacketsReceived(patient);
    await eventually("both sides to keep receiving audio", async () =>
      (await audioPacketsReceived(doctor)) > heardByDoctor && (await audioPacketsReceived(patient)) > heardByPatient
        ? true
        : undefined,
    );

    const doctorPath = await onePath(doctor, "doctor");
    const patientPath = await onePath(patient, "patient");
    const port = Number(/:(\d+)\?/.exec(turn.url)![1]);
    for (const [who, path] of [
      ["doctor", doctorPath],
      ["patient", patientPath],
    ] as const) {
      // The web app configured the policy and a per-person TURN credential ("<expiry>:<attendee>").
      expect(path.policy, `${who}: iceTransportPolicy`).toBe("relay");
      expect(path.turnUsernames, `${who}: TURN usernames`).toEqual([expect.stringMatching(/^\d+:.+/)]);
      // Both ends of the pair in use are relayed addresses allocated on our coturn.
      expect(path.local, `${who}: local candidate`).toMatchObject({
        type: "relay",
        address: "127.0.0.1",
        relayProtocol: "udp",
      });
      expect(path.local?.url, `${who}: local candidate's TURN server`).toContain(`127.0.0.1:${port}`);
      expect(path.remote, `${who}: remote candidate`).toMatchObject({ type: "relay", address: "127.0.0.1" });
    }
    // Each side's remote end is the other side's relayed address.
    expect(doctorPath.remote?.port).toBe(patientPath.local?.port);
    expect(patientPath.remote?.port).toBe(doctorPath.local?.port);
    // Each person has their own credential.
    expect(doctorPath.turnUsernames[0]).not.toBe(patientPath.turnUsernames[0]);

    await doctor.getByRole("button", { name: "End Call" }).click();
    const dialog = doctor.getByRole("dialog", { name: "End the consultation?" });
    await dialog.getByRole("button", { name: "End consultation" }).click();
    await doctor.getByRole("heading", { name: "Session Completed" }).waitFor();
    await patient.getByText("The consultation has ended").waitFor();

    const session = await api.call<SessionDetails>("GET", `/video/api/video/sessions/${sessionId}`, doctorToken);
    expect(session.status).toBe("COMPLETED");
    await eventually("appointment COMPLETED", async () => {
      const appointment = await api.call<Appointment>(
        "GET",
        `/appointments/api/appointments/${session.appointment_id}`,
        doctorToken,
      );
      return appointment.status === "COMPLETED" ? appointment : undefined;
    });
    // The TURN secret never reaches a log line.
    expect(stack.logs.text()).not.toContain(turn.secret);
  }, 60_000);
});
