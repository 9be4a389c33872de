import { EventTypes } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import { connectSignal, signalUrl } from "@clinic/video-service/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { amqpUrl, backend, busTopology } from "../support/bus.ts";
import { childDatabase } from "../support/child-database.ts";
import { appointmentStatus, bookNow, type Started, startSession } from "../support/flows.ts";
import { pool } from "../support/http.ts";
import { people } from "../support/people.ts";
import { type System, startSystem } from "../support/system.ts";
import { startVideoChild, type VideoChild } from "../support/video-child.ts";

const consultations = 12;
const doctor = (i: number) => ({ ...people.doctor, id: `doc-sigterm-${i}`, name: `Dr. Sigterm ${i}` });

interface Outcome {
  kind: "end" | "get" | "list";
  sessionId: string;
  status?: number;
  body?: unknown;
  /** No response at all (connection refused or closed before any byte): never accepted. */
  refused?: string;
}

/**
 * SIGTERM reaches the video service (its own process) while requests are in flight. Every
 * request that got a response got a complete one (a status and a whole JSON body); every
 * end answered 200 is durable (the session is COMPLETED in the database) and its event is
 * not lost: relayed, or kept in the outbox and relayed by the next start. Live signalling
 * connections are told 1001 (going away). The process exits 0.
 */
describe(`graceful shutdown: SIGTERM under load (${backend})`, () => {
  const topology = busTopology("sigterm");
  const database = childDatabase("sigterm_video");
  let system: System;
  let child: VideoChild | undefined;

  const startChild = () =>
    startVideoChild({
      ...database.env(),
      ...(amqpUrl
        ? { AMQP_URL: amqpUrl, TEST_AMQP_EXCHANGE: topology.exchange, TEST_AMQP_QUEUE_PREFIX: topology.queuePrefix }
        : {}),
      APPOINTMENTS_URL: system.urls.appointments,
      AUTH_JWKS_URL: system.urls.jwks,
      LOG_LEVEL: "info",
    });

  beforeAll(async () => {
    system = await startSystem({ bus: await topology.connect(), video: false });
  });
  afterAll(async () => {
    await child?.kill("SIGKILL");
    await system?.close();
    await topology.cleanup();
    await database.drop();
  });

  it("loses no accepted request and no event", async () => {
    child = await startChild();
    const running = child;
    const sessions = await pool(consultations, 4, async (i) => {
      const appointment = await bookNow(system, doctor(i));
      const token = await system.token(doctor(i));
      const started = await startSession(running.url, token, appointment.id);
      expect(started.status, started.text).toBe(200);
      return { i, token, appointmentId: appointment.id, ...(started.body as Started) };
    });
    // A session the waves end only after SIGTERM (i % 6 === 5), so its socket sees the
    // shutdown (1001) and not its own end (4410) when an early wave's end wins the race.
    const first = sessions.find((s) => s.i % 6 === 5) as (typeof sessions)[number];
    const socket = connectSignal(signalUrl(running.url, first.session_id, first.doctor_attendee.join_token));
    await socket.next("welcome", 10_000);

    const send = async (kind: Outcome["kind"], s: (typeof sessions)[number]): Promise<Outcome> => {
      const path =
        kind === "list" ? "/api/video/sessions" : `/api/video/sessions/${s.session_id}${kind === "end" ? "/end" : ""}`;
      try {
        const response = await fetch(`${running.url}${path}`, {
          method: kind === "end" ? "POST" : "GET",
          headers: {
            authorization: `Bearer ${s.token}`,
            ...(kind === "end" ? { "content-type": "application/json" } : {}),
          },
          ...(kind === "end" ? { body: "{}" } : {}),
          signal: AbortSignal.timeout(20_000),
        });
        const text = await response.text(); // a truncated body would throw or fail to parse below
        return { kind, sessionId: s.session_id, status: response.status, body: JSON.parse(text) };
      } catch (err) {
        return { kind, sessionId: s.session_id, refused: String((err as Error).cause ?? err) };
      }
    };

    // Waves of traffic (reads and ends) keep arriving; SIGTERM lands in the middle.
    const outcomes: Promise<Outcome>[] = [];
    for (let wave = 0; wave < 6; wave++) {
      for (const s of sessions) {
        if (s.i % 6 === wave) outcomes.push(send("end", s));
        outcomes.push(send(s.i % 2 ? "get" : "list", s));
      }
      if (wave === 2) running.process.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const results = await Promise.all(outcomes);
    const exit = await running.exited;
    expect(exit, running.output.slice(-8).join("\n")).toEqual({ code: 0, signal: null });
    expect(await socket.closed).toMatchObject({ code: 1001 });

    const answered = results.filter((r) => r.status !== undefined);
    expect(answered.length, "some requests were served before the shutdown").toBeGreaterThan(0);
    for (const r of answered) {
      expect([200, 409, 503], `${r.kind} → ${r.status} ${JSON.stringify(r.body)}`).toContain(r.status);
      // Refusals have the platform's shape, including a request that reached the closing
      // server on a kept-alive connection (503 SHUTTING_DOWN, not Fastify's own body).
      if (r.status !== 200)
        expect(r.body, `${r.kind} → ${r.status}`).toMatchObject({
          error: expect.any(String),
          status: r.status,
          code: expect.any(String),
        });
    }
    for (const r of results.filter((x) => x.refused)) {
      // Only "never accepted" failures: refused/reset connections, not half answers.
      expect(r.refused).toMatch(/ECONNREFUSED|ECONNRESET|other side closed|socket|terminated|UND_ERR/i);
    }

    // Durable: every 200 end is COMPLETED in the database with exactly one completion event.
    const endedOk = new Set(results.filter((r) => r.kind === "end" && r.status === 200).map((r) => r.sessionId));
    const rows = await database.query<{ session_id: string; status: string }>(
      "SELECT session_id, status FROM sessions",
    );
    const events = await database.query<{ payload: unknown; sent_at: Date | null }>(
      `SELECT payload, sent_at FROM outbox WHERE type = '${EventTypes.consultationCompleted}'`,
    );
    const eventSessions = events.map((e) => {
      const p = (typeof e.payload === "string" ? JSON.parse(e.payload) : e.payload) as { data: { session_id: string } };
      return p.data.session_id;
    });
    const completed = rows.filter((r) => r.status === "COMPLETED").map((r) => r.session_id);
    for (const id of endedOk) expect(completed).toContain(id);
    expect([...eventSessions].sort()).toEqual([...completed].sort());

    if (amqpUrl) {
      // The next start relays whatever was left pending; the appointments service sees them all.
      child = await startChild();
      for (const s of sessions.filter((x) => completed.includes(x.session_id))) {
        await eventually(
          `appointment of ${s.session_id} COMPLETED`,
          async () => (await appointmentStatus(system, s.appointmentId, doctor(s.i))).status === "COMPLETED",
        );
      }
      await child.kill("SIGTERM");
    }
  });
});
