import { type Appointment, type AppointmentList, EventTypes } from "@clinic/contracts";
import { type AuthUser, RabbitMqBus } from "@clinic/platform";
import { eventually } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { amqpUrl, backend, busTopology } from "../support/bus.ts";
import { bookNow, endSession, startSession } from "../support/flows.ts";
import { call, pool } from "../support/http.ts";
import { eventProcessing } from "../support/logs.ts";
import { type System, startSystem } from "../support/system.ts";

const burst = 200;
const clinic = "clinic-burst";
const admin: AuthUser = { id: "adm-burst", role: "ADMIN", clinic_id: clinic, name: "Burst Admin", email: "b@x.test" };
// One doctor per appointment: a doctor cannot have two overlapping appointments.
const doctor = (i: number): AuthUser => ({
  id: `doc-burst-${i}`,
  role: "DOCTOR",
  clinic_id: clinic,
  name: `Dr. Burst ${i}`,
  email: `doc${i}@burst.test`,
});
const patient = (i: number): AuthUser => ({
  id: `pat-burst-${i}`,
  role: "PATIENT",
  clinic_id: clinic,
  name: `Patient Burst ${i}`,
  email: `pat${i}@burst.test`,
});

/**
 * 200 consultations end at once (20 at a time) and the broker connection the services share
 * is cut in the middle of the burst (RabbitMQ; with the in-process bus the same burst runs
 * without the cut). After the reconnect every appointment is COMPLETED, and each completion
 * was applied exactly once: counted in effects (the appointments service's inbox and its
 * "applied" records), not in messages.
 */
describe(`broker outage during a burst of ${burst} session completions (${backend})`, () => {
  const topology = busTopology("burst");
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ bus: await topology.connect() });
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });

  const listAll = async (status: Appointment["status"]) => {
    const token = await system.token(admin);
    const found: Appointment[] = [];
    for (let offset = 0; offset < burst * 2; offset += 100) {
      const page = await call<AppointmentList>(
        system.urls.appointments,
        "GET",
        `/api/appointments?status=${status}&limit=100&offset=${offset}`,
        { token },
      );
      expect(page.status, page.text).toBe(200);
      found.push(...page.body.appointments);
      if (page.body.appointments.length < 100) break;
    }
    return found;
  };

  it(`every appointment COMPLETED, none twice${amqpUrl ? ", across a severed connection" : ""}`, async () => {
    const sessions = await pool(burst, 10, async (i) => {
      const appointment = await bookNow(system, doctor(i), patient(i));
      const started = await startSession(system.urls.video, await system.token(doctor(i)), appointment.id);
      expect(started.status, started.text).toBe(200);
      return { i, appointmentId: appointment.id, sessionId: started.body.session_id };
    });
    await eventually("all IN_PROGRESS", async () => (await listAll("IN_PROGRESS")).length === burst, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });

    let ended = 0;
    await pool(burst, 20, async (index) => {
      const { i, sessionId } = sessions[index] as (typeof sessions)[number];
      const reply = await endSession(system.urls.video, await system.token(doctor(i)), sessionId);
      expect(reply.status, reply.text).toBe(200);
      ended++;
      if (ended === burst / 2) severBroker();
    });

    const completed = await eventually(
      "every appointment COMPLETED after the reconnect",
      async () => {
        const list = await listAll("COMPLETED");
        return list.length === burst ? list : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    if (amqpUrl) {
      // The cut happened mid-burst and the bus came back by itself.
      const said = topology.logs.lines.map((l) => JSON.parse(l).msg as string);
      expect(said).toContain("RabbitMQ connection lost; reconnecting");
      expect(said.lastIndexOf("connected")).toBeGreaterThan(said.indexOf("RabbitMQ connection lost; reconnecting"));
    }
    const bySession = new Map(completed.map((a) => [a.session_id, a]));
    for (const s of sessions) expect(bySession.get(s.sessionId)?.id).toBe(s.appointmentId);

    // Effects: each completion event was applied once, whatever the broker redelivered.
    const events = await system.apps.video?.video.database.db
      .selectFrom("outbox")
      .select(["event_id", "sent_at"])
      .where("type", "=", EventTypes.consultationCompleted)
      .execute();
    expect(events).toHaveLength(burst);
    const counts = (events ?? []).map((e) => eventProcessing(system.logs.lines, String(e.event_id)).applied);
    expect(counts.filter((n) => n !== 1)).toEqual([]);
    const schema = system.databases.appointments.options.schema;
    if (schema) {
      const { default: pg } = await import("pg");
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      try {
        const result = await client.query(
          `SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS events FROM ${schema}.inbox WHERE type = $1`,
          [EventTypes.consultationCompleted],
        );
        expect(result.rows[0]).toEqual({ rows: burst, events: burst });
      } finally {
        await client.end();
      }
    }
  });

  /** Cuts every broker connection of this test's services (no-op on the in-process bus). */
  const severBroker = () => {
    for (const bus of topology.buses()) if (bus instanceof RabbitMqBus) bus.severConnectionForTests();
  };
});
