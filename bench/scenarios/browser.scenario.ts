import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Appointment, type AppointmentList, demoClinic, demoUsers } from "@clinic/contracts";
import { type Browser, chromium, type Page } from "playwright-core";
import { clickAndTime, firstFrameAt, spaNavigate } from "../../e2e/support/browser-timing.ts";
import { chromiumFlags, chromiumPath } from "../../e2e/support/chromium.ts";
import { startTurnServer, turnserverPath } from "../../e2e/support/turn.ts";
import { ChildServer } from "../lib/child-process.ts";
import type { BenchContext, Scenario } from "../lib/context.ts";
import { createOperatorKey } from "../lib/operator-tokens.ts";
import { baselineEntry } from "../lib/paths.ts";
import { gatewayUrl, StackProcess, skipUnlessStackCanRun } from "../lib/stack-process.ts";
import { ratio, round, type Summary, summarise } from "../lib/stats.ts";
import { ensureWebBuild } from "./web-build.ts";

// The page origin browsers use (a secure context for getUserMedia without TLS).
const appOrigin = "http://localhost:8000";

async function api<T>(method: string, path: string, token: string, body?: object): Promise<T> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A browser context for one person in a call: camera and microphone allowed, peer connections recorded. */
async function callContext(browser: Browser) {
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  // Records the page's RTCPeerConnections so a call's ICE path can be read (candidatePath);
  // done in both variants, so they are timed alike.
  await context.addInitScript(() => {
    const w = globalThis as unknown as {
      RTCPeerConnection: new (...args: unknown[]) => object;
      __benchPeers: object[];
    };
    const Original = w.RTCPeerConnection;
    const peers: object[] = [];
    w.__benchPeers = peers;
    w.RTCPeerConnection = class extends Original {
      constructor(...args: unknown[]) {
        super(...args);
        peers.push(this);
      }
    };
  });
  return context;
}

async function logIn(browser: Browser, email: string, password: string): Promise<Page> {
  const context = await callContext(browser);
  const page = await context.newPage();
  if (process.env.BENCH_DEBUG) {
    page.on("console", (m) => process.stderr.write(`[${email} console] ${m.type()} ${m.text()}\n`));
    page.on("pageerror", (e) => process.stderr.write(`[${email} pageerror] ${e.message}\n`));
    page.on("response", async (r) => {
      if (r.status() >= 400)
        process.stderr.write(`[${email}] ${r.status()} ${r.url()} ${await r.text().catch(() => "")}\n`);
    });
    page.on("websocket", (ws) => {
      process.stderr.write(`[${email}] websocket ${ws.url().split("?")[0]}\n`);
      ws.on("framereceived", (f) => process.stderr.write(`[${email} ws<] ${String(f.payload).slice(0, 120)}\n`));
      ws.on("framesent", (f) => process.stderr.write(`[${email} ws>] ${String(f.payload).slice(0, 120)}\n`));
      ws.on("close", () => process.stderr.write(`[${email}] websocket closed\n`));
    });
  }
  await page.goto(`${appOrigin}/login`);
  // Mantine marks required labels with " *", so the inputs are found by type.
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 15_000 });
  return page;
}

interface CallTiming {
  start_to_local_video_ms: number;
  join_to_remote_frame_patient_ms: number;
  join_to_remote_frame_doctor_ms: number;
  /** Candidate types of the patient's selected pair, local/remote ("host/host", "relay/relay"). */
  ice_path: string;
  /** The call's set-up marks (`call:*`, apps/web media/call-marks.ts): ms after the Join click, first of each. */
  marks: { patient: Record<string, number>; doctor: Record<string, number> };
}

/** The page's `call:*` marks made at or after `since` (wall clock), as ms after `since`: the first of each name. */
async function callMarksSince(page: Page, since: number): Promise<Record<string, number>> {
  return page.evaluate((since) => {
    const marks: Record<string, number> = {};
    for (const entry of performance.getEntriesByType("mark")) {
      const at = performance.timeOrigin + entry.startTime;
      if (!entry.name.startsWith("call:") || at < since) continue;
      const name = entry.name.slice("call:".length);
      if (!(name in marks)) marks[name] = Math.round((at - since) * 10) / 10;
    }
    return marks;
  }, since);
}

/**
 * The candidate types of the pair the page's connected peer connection uses ("relay/relay"),
 * so a relay-only figure is refused when the call did not actually go through TURN. Polls
 * (≤ 5 s) until the selected pair has succeeded.
 */
async function candidatePath(page: Page): Promise<string> {
  return page.evaluate(async () => {
    interface Stat {
      id: string;
      type: string;
      selectedCandidatePairId?: string;
      localCandidateId?: string;
      remoteCandidateId?: string;
      state?: string;
      candidateType?: string;
    }
    interface Peer {
      connectionState: string;
      getStats(): Promise<{ values(): Iterable<Stat> }>;
    }
    const w = globalThis as unknown as { __benchPeers: Peer[] };
    const deadline = performance.now() + 5000;
    while (performance.now() < deadline) {
      const peer = w.__benchPeers.filter((p) => p.connectionState === "connected").at(-1);
      if (peer) {
        const reports = [...(await peer.getStats()).values()];
        const byId = new Map(reports.map((r) => [r.id, r]));
        const pairId = reports.find(
          (r) => r.type === "transport" && r.selectedCandidatePairId,
        )?.selectedCandidatePairId;
        const pair = pairId ? byId.get(pairId) : undefined;
        if (pair?.state === "succeeded") {
          // No named helper here: tsx would wrap it in a `__name` call the page does not have.
          const [local, remote] = [pair.localCandidateId, pair.remoteCandidateId].map(
            (id) => (id ? byId.get(id)?.candidateType : undefined) ?? "?",
          );
          return `${local}/${remote}`;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("no connected peer connection with a succeeded candidate pair within 5 s");
  });
}

/** One consultation through the UI: the doctor starts, the patient joins, the doctor ends. */
async function oneCall(doctor: Page, patient: Page, doctorToken: string, patientToken: string): Promise<CallTiming> {
  // The appointment starts in a minute: inside the join window, like a real one.
  await api<Appointment>("POST", "/appointments/api/appointments", doctorToken, {
    patient_id: demoUsers.patient.id,
    start_time: new Date(Date.now() + 60_000).toISOString(),
    duration_minutes: 15,
  });
  await spaNavigate(doctor, "/doctor/appointments");
  await doctor.locator("button:not([disabled])", { hasText: "Start Video" }).first().waitFor({ timeout: 20_000 });
  const started = await clickAndTime(doctor, "Start Video", "Your video");

  const sessionId = /\/sessions\/(sess-[0-9a-f-]+)\/call/.exec(doctor.url())?.[1];
  if (!sessionId) throw new Error(`the doctor is not in a call: ${doctor.url()}`);
  // Auto-admit on (waiting room, issue 12) and the patient's telehealth consent answered
  // beforehand (through the API), so the timed Join click goes straight to the call, as the
  // figure has always measured.
  await api("PUT", `/video/api/video/sessions/${sessionId}/waiting-room`, doctorToken, { auto_admit: true });
  const consent = await api<{ version: number }>("GET", "/video/api/video/consent-text", patientToken);
  await api("POST", `/video/api/video/sessions/${sessionId}/consent`, patientToken, {
    decision: "GIVEN",
    text_version: consent.version,
  });
  // The patient page polls until the doctor has started (not part of the figure). It first
  // shows what it had cached from the previous call, so wait until it has read this session.
  const sessionRead = patient.waitForResponse(
    (r) => r.url().endsWith(`/video/api/video/sessions/${sessionId}`) && r.status() === 200,
    { timeout: 30_000 },
  );
  await spaNavigate(patient, "/patient");
  await sessionRead;
  await patient.locator("button:not([disabled])", { hasText: "Join" }).first().waitFor({ timeout: 30_000 });
  const doctorSeesPatient = firstFrameAt(doctor, "Patient video");
  doctorSeesPatient.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const joined = await clickAndTime(patient, "Join", "Doctor video");
  const doctorFrameAt = await doctorSeesPatient;
  const icePath = await candidatePath(patient);
  const marks = {
    patient: await callMarksSince(patient, joined.clickedAt),
    doctor: await callMarksSince(doctor, joined.clickedAt),
  };

  await doctor.getByRole("button", { name: "End Call" }).click();
  await doctor.getByRole("button", { name: "End consultation" }).click();
  await doctor.waitForURL((url) => !url.pathname.endsWith("/call"), { timeout: 15_000 });
  return {
    start_to_local_video_ms: round(started.shownAt - started.clickedAt, 1),
    join_to_remote_frame_patient_ms: round(joined.shownAt - joined.clickedAt, 1),
    join_to_remote_frame_doctor_ms: round(doctorFrameAt - joined.clickedAt, 1),
    ice_path: icePath,
    marks,
  };
}

/**
 * One variant: a fresh `npm start` (its own data folder) with `stackEnv` added, the two demo users
 * signed in, then up to `calls` consultations within `budgetMs`. The stack is stopped after.
 */
async function measureCalls(
  browser: Browser,
  stackEnv: Record<string, string>,
  calls: number,
  budgetMs: number,
): Promise<CallTiming[]> {
  const key = await createOperatorKey();
  const dataDir = mkdtempSync(join(tmpdir(), "clinic-bench-browser-"));
  const stack = await StackProcess.start({
    ...key.env,
    ...stackEnv,
    DATA_DIR: dataDir,
    DATABASE_URL: "",
    AMQP_URL: "",
  });
  const contexts: { close(): Promise<void> }[] = [];
  try {
    const doctorToken = await key.sign({ ...demoUsers.doctor, role: "DOCTOR", clinic_id: demoClinic.id });
    const patientToken = await key.sign({ ...demoUsers.patient, role: "PATIENT", clinic_id: demoClinic.id });
    // Clear the demo doctor's schedule around now so each call's appointment is the one on screen.
    const around = new URLSearchParams({
      from: new Date(Date.now() - 3 * 3600_000).toISOString(),
      to: new Date(Date.now() + 3 * 3600_000).toISOString(),
      limit: "100",
    });
    const list = await api<AppointmentList>("GET", `/appointments/api/appointments?${around}`, doctorToken);
    for (const a of list.appointments.filter((a) => a.status === "SCHEDULED")) {
      await api("POST", `/appointments/api/appointments/${a.id}/cancel`, doctorToken);
    }
    const doctor = await logIn(browser, demoUsers.doctor.email, demoUsers.doctor.password);
    contexts.push(doctor.context());
    const patient = await logIn(browser, demoUsers.patient.email, demoUsers.patient.password);
    contexts.push(patient.context());
    const timings: CallTiming[] = [];
    const deadline = performance.now() + budgetMs;
    for (let i = 0; i < calls && performance.now() < deadline; i++)
      timings.push(await oneCall(doctor, patient, doctorToken, patientToken));
    return timings;
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface FloorTiming {
  join_to_remote_frame_patient_ms: number;
  join_to_remote_frame_doctor_ms: number;
  ice_path: string;
  /** The floor page's `call:*` marks (same names as the product's), ms after the Join click. */
  marks: { patient: Record<string, number>; doctor: Record<string, number> };
}

/**
 * The floor of the Join figure: the same browser (same flags), two contexts made as the
 * product's are, `baselines/call-floor.html` served with a bare `ws` relay
 * (`baselines/call-floor.server.ts`, its own process): no sign-in, API, database or gateway.
 * Each call is a fresh meeting: the doctor's page has its camera on and its socket open, the
 * patient's Join click is timed with the same `clickAndTime` / `firstFrameAt` as the product's.
 */
export async function measureFloorCalls(browser: Browser, calls: number, budgetMs: number): Promise<FloorTiming[]> {
  const relay = await ChildServer.start(baselineEntry("call-floor"));
  const contexts: { close(): Promise<void> }[] = [];
  try {
    // 127.0.0.1 is a secure context, as localhost is: getUserMedia works without TLS.
    const base = `http://127.0.0.1:${relay.port}/`;
    const doctorContext = await callContext(browser);
    contexts.push(doctorContext);
    const patientContext = await callContext(browser);
    contexts.push(patientContext);
    const doctor = await doctorContext.newPage();
    const patient = await patientContext.newPage();
    const timings: FloorTiming[] = [];
    const deadline = performance.now() + budgetMs;
    for (let i = 0; i < calls && performance.now() < deadline; i++) {
      const meeting = `floor-${i}-${Date.now()}`;
      await doctor.goto(`${base}?meeting=${meeting}&role=doctor`);
      await doctor.locator("body[data-ready]").waitFor({ state: "attached", timeout: 15_000 });
      await patient.goto(`${base}?meeting=${meeting}&role=patient`);
      await patient.locator("button:not([disabled])", { hasText: "Join" }).waitFor({ timeout: 15_000 });
      const doctorSeesPatient = firstFrameAt(doctor, "Patient video");
      doctorSeesPatient.catch(() => undefined); // awaited below
      const joined = await clickAndTime(patient, "Join", "Doctor video");
      const doctorFrameAt = await doctorSeesPatient;
      timings.push({
        join_to_remote_frame_patient_ms: round(joined.shownAt - joined.clickedAt, 1),
        join_to_remote_frame_doctor_ms: round(doctorFrameAt - joined.clickedAt, 1),
        ice_path: await candidatePath(patient),
        marks: {
          patient: await callMarksSince(patient, joined.clickedAt),
          doctor: await callMarksSince(doctor, joined.clickedAt),
        },
      });
    }
    return timings;
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
    await relay.stop();
  }
}

/**
 * 6. Chromium with fake media: start-click → local video, and join → first remote frame (p50 of
 * 10 calls), over loopback and then relay-only through a local coturn, in the same run.
 */
export const browserScenario: Scenario = {
  name: "browser",
  title: "6. Browser: start-click → local video, join → first remote frame (Chromium, fake media)",
  async run(ctx: BenchContext) {
    await skipUnlessStackCanRun({ browser: chromiumPath });
    const web = await ensureWebBuild();
    if (web.built) ctx.note(`web app rebuilt first (${web.seconds} s; its build was missing or stale)`);
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
    try {
      const calls = ctx.options.quick ? 3 : 10;
      // Loopback: host candidates on 127.0.0.1, as the figure has always been measured.
      const timings = await measureCalls(browser, { WEB_DIST_DIR: web.dir }, calls, 6 * 60_000);
      // The floor, right after, in the same browser: the same number of calls.
      const floorTimings = await measureFloorCalls(browser, calls, 3 * 60_000);
      const floorPaths = floorTimings.filter((t) => t.ice_path !== "host/host");
      if (floorPaths.length) ctx.note(`floor calls not host/host: ${floorPaths.map((t) => t.ice_path).join(", ")}`);
      // Relay only, in the same run: the same calls with the browsers limited to relay
      // candidates on a local coturn (TURN REST credentials from start/join), as issue 12 asks.
      let relayTimings: CallTiming[] | undefined;
      let relaySkipped: string | undefined;
      if (!existsSync(turnserverPath)) {
        relaySkipped = `no turnserver at ${turnserverPath} (apt-get install -y coturn, or set TURNSERVER_PATH)`;
        ctx.note(`relay-only variant skipped: ${relaySkipped}`);
      } else {
        const turn = await startTurnServer();
        try {
          relayTimings = await measureCalls(
            browser,
            { WEB_DIST_DIR: web.dir, TURN_URLS: turn.url, TURN_SECRET: turn.secret, ICE_TRANSPORT_POLICY: "relay" },
            calls,
            6 * 60_000,
          );
        } finally {
          await turn.stop();
        }
        const notRelayed = relayTimings.filter((t) => t.ice_path !== "relay/relay");
        if (notRelayed.length) {
          throw new Error(`relay-only calls used ${notRelayed.map((t) => t.ice_path).join(", ")}, not relay/relay`);
        }
      }
      const figure = (pick: (t: CallTiming) => number) => summarise(timings.map(pick));
      const local = figure((t) => t.start_to_local_video_ms);
      const atPatient = figure((t) => t.join_to_remote_frame_patient_ms);
      const atDoctor = figure((t) => t.join_to_remote_frame_doctor_ms);
      const row = (name: string, s: ReturnType<typeof figure>) => [
        name,
        s.count,
        round(s.p50, 0),
        round(s.mean, 0),
        round(s.max, 0),
      ];
      ctx.table(
        `${timings.length} calls through the UI at ${appOrigin} (embedded stack, WebRTC over loopback), ms`,
        ["figure", "calls", "p50", "mean", "max"],
        [
          row("doctor: Start Video click → own camera shown", local),
          row("patient: Join click → doctor's video shown", atPatient),
          row("doctor: patient's Join click → patient's video shown", atDoctor),
        ],
      );
      type Marked = { marks: { patient: Record<string, number>; doctor: Record<string, number> } };
      const markNames = (calls: Marked[], side: "patient" | "doctor") =>
        [...new Set(calls.flatMap((t) => Object.keys(t.marks[side])))].map((name) => {
          const at = calls.map((t) => t.marks[side][name]).filter((v): v is number => v !== undefined);
          return { name, at: summarise(at) };
        });
      // Beside each product mark, the floor page's mark of the same name (Finding 28).
      const floorMarkP50 = (side: "patient" | "doctor", name: string) => {
        const found = markNames(floorTimings, side).find((m) => m.name === name);
        return found ? round(found.at.p50, 0) : "—";
      };
      const markRows = (["patient", "doctor"] as const).flatMap((side) =>
        markNames(timings, side)
          .sort((a, b) => a.at.p50 - b.at.p50)
          .map(({ name, at }) => [
            `${side}: ${name}`,
            at.count,
            round(at.p50, 0),
            round(at.mean, 0),
            round(at.max, 0),
            floorMarkP50(side, name),
          ]),
      );
      ctx.table(
        "Where the Join goes: the pages' call:* marks, ms after the patient's Join click (floor: the same marks on its bare page)",
        ["mark", "calls", "p50", "mean", "max", "floor p50"],
        markRows,
      );
      const floor = summarise(floorTimings.map((t) => t.join_to_remote_frame_patient_ms));
      const floorAtDoctor = summarise(floorTimings.map((t) => t.join_to_remote_frame_doctor_ms));
      const floorRatio = ratio(atPatient.p50, floor.p50);
      const versusFloor = (name: string, product: Summary, bare: Summary) => [
        name,
        `${product.count} / ${bare.count}`,
        `${round(product.p50, 0)} / ${round(bare.p50, 0)}`,
        `${round(product.mean, 0)} / ${round(bare.mean, 0)}`,
        `${round(product.max, 0)} / ${round(bare.max, 0)}`,
        ratio(product.p50, bare.p50),
      ];
      ctx.table(
        "Join click → first remote frame, product / floor (bare page + bare ws relay, same browser and timing code), ms",
        ["figure", "calls", "p50", "mean", "max", "product ÷ floor p50 (goal ≤ 1.5)"],
        [
          versusFloor("patient: Join click → doctor's video shown", atPatient, floor),
          versusFloor("doctor: patient's Join click → patient's video shown", atDoctor, floorAtDoctor),
        ],
      );
      const relayFigure = (pick: (t: CallTiming) => number): Summary | undefined =>
        relayTimings ? summarise(relayTimings.map(pick)) : undefined;
      const relayAtPatient = relayFigure((t) => t.join_to_remote_frame_patient_ms);
      const relayAtDoctor = relayFigure((t) => t.join_to_remote_frame_doctor_ms);
      const compare = (name: string, loopback: Summary, relay: Summary | undefined) => [
        name,
        `${loopback.count} / ${relay?.count ?? 0}`,
        `${round(loopback.p50, 0)} / ${relay ? round(relay.p50, 0) : "—"}`,
        `${round(loopback.mean, 0)} / ${relay ? round(relay.mean, 0) : "—"}`,
        `${round(loopback.max, 0)} / ${relay ? round(relay.max, 0) : "—"}`,
        relay ? ratio(relay.p50, loopback.p50) : (relaySkipped ?? "—"),
      ];
      ctx.table(
        "Join click → first remote frame, loopback (host candidates) / relay only (ICE_TRANSPORT_POLICY=relay, local coturn), ms",
        ["figure", "calls", "p50", "mean", "max", "relay ÷ loopback p50"],
        [
          compare("patient: Join click → doctor's video shown", atPatient, relayAtPatient),
          compare("doctor: patient's Join click → patient's video shown", atDoctor, relayAtDoctor),
        ],
      );
      return {
        calls: timings,
        start_to_local_video: local,
        join_to_remote_frame_patient: atPatient,
        join_to_remote_frame_doctor: atDoctor,
        floor_calls: floorTimings,
        floor_join_to_remote_frame: { p50: floor.p50, mean: round(floor.mean, 1), max: floor.max },
        floor_join_to_remote_frame_doctor: {
          p50: floorAtDoctor.p50,
          mean: round(floorAtDoctor.mean, 1),
          max: floorAtDoctor.max,
        },
        floor_ratio_p50: floorRatio,
        floor_ratio_p50_doctor: ratio(atDoctor.p50, floorAtDoctor.p50),
        relay_calls: relayTimings ?? null,
        relay_join_to_remote_frame: relayAtPatient ?? null,
        relay_join_to_remote_frame_doctor: relayAtDoctor ?? null,
        relay_ratio_p50: relayAtPatient ? ratio(relayAtPatient.p50, atPatient.p50) : null,
        relay_ratio_p50_doctor: relayAtDoctor ? ratio(relayAtDoctor.p50, atDoctor.p50) : null,
        relay_skipped: relaySkipped ?? null,
        chromium: browser.version(),
      };
    } finally {
      await browser.close();
    }
  },
};
