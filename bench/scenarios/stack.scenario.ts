import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Appointment, type CreatedUser, demoClinic, demoUsers } from "@clinic/contracts";
import type { BenchContext, Scenario } from "../lib/context.ts";
import { measureHttp } from "../lib/http-load.ts";
import { createOperatorKey } from "../lib/operator-tokens.ts";
import { type MeetingPair, runSignallingLoad } from "../lib/signalling-load.ts";
import { gatewayUrl, StackProcess, skipUnlessStackCanRun } from "../lib/stack-process.ts";
import { mib, round } from "../lib/stats.ts";
import { type BenchMeeting, startAndJoin } from "./meetings.ts";
import { ensureWebBuild } from "./web-build.ts";

// The demo clinic: it exists in the embedded stack, and its admin adds the bench's people.
const clinicId = demoClinic.id;
type Sign = Awaited<ReturnType<typeof createOperatorKey>>["sign"];

/** A doctor or patient created through the auth service's admin API (bookings name people of its directory). */
async function createPerson(adminToken: string, role: "DOCTOR" | "PATIENT", name: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/auth/api/auth/users`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ role, name, email: `${role.toLowerCase()}-${randomUUID()}@bench.clinic` }),
  });
  if (response.status !== 201) throw new Error(`creating a ${role} → ${response.status} ${await response.text()}`);
  return ((await response.json()) as CreatedUser).user.id;
}

async function bookThroughGateway(sign: Sign, count: number) {
  const start = new Date(Date.now() + 60_000).toISOString();
  const { id, name } = demoUsers.admin;
  const adminToken = await sign({ id, name, role: "ADMIN", clinic_id: clinicId });
  const booked = [];
  for (let i = 0; i < count; i += 10) {
    const chunk = Array.from({ length: Math.min(10, count - i) }, (_, k) => i + k);
    booked.push(
      ...(await Promise.all(
        chunk.map(async (k) => {
          const doctorId = await createPerson(adminToken, "DOCTOR", `Dr Stack ${k}`);
          const patientId = await createPerson(adminToken, "PATIENT", `Stack Patient ${k}`);
          const doctorToken = await sign({ id: doctorId, role: "DOCTOR", clinic_id: clinicId, name: `Dr Stack ${k}` });
          const patientToken = await sign({
            id: patientId,
            role: "PATIENT",
            clinic_id: clinicId,
            name: `Stack Patient ${k}`,
          });
          const response = await fetch(`${gatewayUrl}/appointments/api/appointments`, {
            method: "POST",
            headers: { authorization: `Bearer ${doctorToken}`, "content-type": "application/json" },
            body: JSON.stringify({ patient_id: patientId, start_time: start, duration_minutes: 30 }),
          });
          if (response.status !== 201) throw new Error(`booking → ${response.status} ${await response.text()}`);
          return { appointmentId: ((await response.json()) as Appointment).id, doctorToken, patientToken };
        }),
      )),
    );
  }
  return booked;
}

/** 1,000 attendees connected and exchanging signals while autocannon loads the gateway; RSS sampled throughout. */
async function loadStack(stack: StackProcess, sign: Sign, meetings: number, ctx: BenchContext) {
  const t0 = performance.now();
  const appointments = await bookThroughGateway(sign, meetings);
  await new Promise((resolve) => setTimeout(resolve, 2000)); // let appointment.booked reach the video service
  const opened: BenchMeeting[] = [];
  for (let i = 0; i < appointments.length; i += 10) {
    opened.push(
      ...(await Promise.all(appointments.slice(i, i + 10).map((a) => startAndJoin(`${gatewayUrl}/video`, a)))),
    );
  }
  const setupSeconds = round((performance.now() - t0) / 1000, 1);
  const afterSetup = stack.rss();
  const wsUrl = (m: string, token: string) =>
    `ws://127.0.0.1:8000/video/api/video/sessions/${m}/signal?token=${encodeURIComponent(token)}`;
  const pairs: MeetingPair[] = opened.map((m) => ({
    a: { attendeeId: m.doctor.attendeeId, url: wsUrl(m.sessionId, m.doctor.joinToken) },
    b: { attendeeId: m.patient.attendeeId, url: wsUrl(m.sessionId, m.patient.joinToken) },
  }));
  const adminToken = await sign({ id: "stack-admin", role: "ADMIN", clinic_id: clinicId, name: "Stack Admin" });
  let peak = afterSetup.total;
  let connected = afterSetup;
  let httpLoad: ReturnType<typeof measureHttp> | undefined;
  const sampler = setInterval(() => {
    peak = Math.max(peak, stack.rss().total);
  }, 250);
  try {
    const signalling = await runSignallingLoad(pairs, {
      rounds: ctx.options.quick ? 1 : 4,
      roundMs: 2000,
      iceCandidates: 4,
      connectConcurrency: 50,
      onAllConnected: async () => {
        connected = stack.rss();
        // HTTP load on the gateway while every attendee is connected and the exchanges run.
        httpLoad = measureHttp({
          url: `${gatewayUrl}/video/api/video/sessions?limit=20`,
          headers: { authorization: `Bearer ${adminToken}` },
          durationSec: ctx.options.durationSec,
          connections: ctx.options.connections,
        });
      },
    });
    const http = await httpLoad;
    return { setupSeconds, afterSetup, connected, peak, signalling, http, sockets: pairs.length * 2 };
  } finally {
    clearInterval(sampler);
  }
}

/** 7. `npm start` to healthy (cold and warm), and the whole stack's resident memory idle and under load. */
export const stackScenario: Scenario = {
  name: "stack",
  title: "7. The embedded stack (npm start): start-up to healthy, resident memory idle and under load",
  async run(ctx: BenchContext) {
    await skipUnlessStackCanRun({ browser: false });
    const web = await ensureWebBuild();
    if (web.built) ctx.note(`web app built first (${web.seconds} s; not counted in start-up)`);
    const key = await createOperatorKey();
    const dataDir = mkdtempSync(join(tmpdir(), "clinic-bench-stack-"));
    // DATABASE_URL/AMQP_URL empty: this is the embedded stack (PGlite, in-process bus). Every
    // bench attendee connects from 127.0.0.1: the per-address caps on WebSockets (gateway, 20)
    // and signalling connects (video service, 60 a minute), meant for browsers, are raised.
    const env = {
      ...key.env,
      DATA_DIR: dataDir,
      WEB_DIST_DIR: web.dir,
      DATABASE_URL: "",
      AMQP_URL: "",
      REDIS_URL: "",
      LOG_LEVEL: "info",
      GATEWAY_WS_MAX_PER_ADDRESS: "10000",
      SIGNAL_CONNECTS_PER_MINUTE: "100000",
    };
    const meetings = ctx.options.quick ? 100 : 500;
    try {
      const cold = await StackProcess.start(env);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const coldIdle = cold.rss();
      await cold.stop();
      const warm = await StackProcess.start(env);
      try {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const idle = warm.rss();
        const load = await loadStack(warm, key.sign, meetings, ctx);
        ctx.table(
          "npm start (scripts/start.mjs + the stack's Node process)",
          ["figure", "value", "unit"],
          [
            ["npm start → healthy, first run (migrations, demo seed)", round(cold.startupMs / 1000, 2), "s"],
            ["npm start → healthy, second run (existing data)", round(warm.startupMs / 1000, 2), "s"],
            ["RSS idle after first start (all processes)", mib(coldIdle.total), "MiB"],
            ["RSS idle after second start (all processes)", mib(idle.total), "MiB"],
            ["  of which the stack process", mib(idle.largest), "MiB"],
            [`RSS after ${meetings} meetings started and joined`, mib(load.afterSetup.total), "MiB"],
            [`RSS with ${load.sockets} attendees connected`, mib(load.connected.total), "MiB"],
            ["RSS peak under load (WebSockets + HTTP)", mib(load.peak), "MiB"],
            ["peak ÷ idle", round(load.peak / idle.total, 2), "×"],
          ],
        );
        const { http, signalling } = load;
        ctx.table(
          "load applied meanwhile (all through the gateway on :8000)",
          ["load", "figure"],
          [
            [
              `GET /video/api/video/sessions, ${ctx.options.connections} connections`,
              http
                ? `${http.requests_per_sec} req/s, p50 ${round(http.p50_ms, 1)} ms, p99 ${round(http.p99_ms, 1)} ms, ${http.non_2xx} non-2xx`
                : "—",
            ],
            [
              `signalling, ${signalling.sockets} sockets`,
              `offer p50 ${round(signalling.offer.p50, 2)} / p99 ${round(signalling.offer.p99, 2)} ms, ICE p50 ${round(signalling.ice.p50, 2)} / p99 ${round(signalling.ice.p99, 2)} ms, lost ${signalling.lost_exchanges}`,
            ],
            ["setup (book, start, join through the gateway)", `${meetings} meetings in ${load.setupSeconds} s`],
          ],
        );
        return {
          startup_cold_ms: cold.startupMs,
          startup_warm_ms: warm.startupMs,
          rss_idle_cold: coldIdle,
          rss_idle: idle,
          rss_after_setup: load.afterSetup,
          rss_connected: load.connected,
          rss_peak: load.peak,
          http,
          signalling,
          meetings,
        };
      } finally {
        await warm.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
