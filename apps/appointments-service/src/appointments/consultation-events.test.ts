import { randomBytes, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type Appointment, EventTypes } from "@clinic/contracts";
import {
  type CloudEvent,
  type EventBus,
  InProcessBus,
  makeEvent,
  migrate,
  openDatabase,
  RabbitMqBus,
} from "@clinic/platform";
import { testDatabase, whileLockHeld } from "@clinic/platform/testing";
import amqp from "amqplib";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppointmentsDatabase, AppointmentsTables } from "../database.ts";
import { inMinutes, people, startTestApp, type TestApp, testDirectory } from "../testing/test-app.ts";
import type { Actor } from "./appointment-access.ts";
import { createAppointmentsService } from "./appointments.service.ts";
import { appointmentsQueue, createConsultationEventHandler } from "./consultation-events.ts";

const migrations = fileURLToPath(new URL("../migrations", import.meta.url));
const doctor: Actor = { user: people.doctor, requestId: "test" };
const session = () => `sess-${randomUUID()}`;

const started = (appt: Appointment, sessionId: string) =>
  makeEvent(
    EventTypes.consultationStarted,
    "video-service",
    {
      appointment_id: appt.id,
      session_id: sessionId,
      clinic_id: appt.clinic_id,
      doctor_id: appt.doctor_id,
      started_at: new Date().toISOString(),
    },
    appt.id,
  );
const completed = (appt: Appointment, sessionId: string, minutes = 17) =>
  makeEvent(
    EventTypes.consultationCompleted,
    "video-service",
    {
      appointment_id: appt.id,
      session_id: sessionId,
      clinic_id: appt.clinic_id,
      doctor_id: appt.doctor_id,
      started_at: new Date(Date.now() - minutes * 60_000).toISOString(),
      ended_at: new Date().toISOString(),
      duration_seconds: minutes * 60 + 5,
      duration_minutes: minutes,
    },
    appt.id,
  );

describe("consultation event handler, called directly", () => {
  let database: AppointmentsDatabase;
  let drop: () => Promise<void>;
  let handle: (event: CloudEvent) => Promise<void>;
  let service: ReturnType<typeof createAppointmentsService>;
  let slot = 0;
  const book = () => {
    slot += 60;
    return service.book(doctor, {
      patient_id: people.patient.id,
      patient_name: "P",
      start_time: inMinutes(slot),
      duration_minutes: 30,
      video_enabled: true,
    });
  };
  const row = (id: string) =>
    database.db.selectFrom("appointments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const inboxCount = async (eventId: string) =>
    (await database.db.selectFrom("inbox").select("event_id").where("event_id", "=", eventId).execute()).length;

  beforeAll(async () => {
    const target = testDatabase("appointments-events");
    drop = target.drop;
    database = await openDatabase<AppointmentsTables>(target.options);
    await migrate(database, migrations);
    service = createAppointmentsService({ db: database.db, directory: testDirectory });
    handle = createConsultationEventHandler({ db: database.db, logger: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await database.close();
    await drop();
  });

  it("moves SCHEDULED → IN_PROGRESS on started, and a redelivery changes nothing", async () => {
    const appt = await book();
    const sessionId = session();
    const event = started(appt, sessionId);
    await handle(event);
    const after = await row(appt.id);
    expect(after).toMatchObject({ status: "IN_PROGRESS", session_id: sessionId, consultation_duration_minutes: null });

    await handle(structuredClone(event));
    expect(await row(appt.id)).toEqual(after); // same updated_at: no second effect
    expect(await inboxCount(event.id)).toBe(1);
  });

  it("moves IN_PROGRESS → COMPLETED with session id and duration, once", async () => {
    const appt = await book();
    const sessionId = session();
    await handle(started(appt, sessionId));
    const event = completed(appt, sessionId, 23);
    await handle(event);
    const after = await row(appt.id);
    expect(after).toMatchObject({ status: "COMPLETED", session_id: sessionId, consultation_duration_minutes: 23 });
    await handle(event);
    expect(await row(appt.id)).toEqual(after);
    expect(await inboxCount(event.id)).toBe(1);
  });

  it("keeps COMPLETED when a started event arrives late, and completes straight from SCHEDULED", async () => {
    const appt = await book();
    const sessionId = session();
    const late = started(appt, sessionId);
    await handle(completed(appt, sessionId, 9));
    await handle(late);
    expect(await row(appt.id)).toMatchObject({ status: "COMPLETED", consultation_duration_minutes: 9 });
    expect(await inboxCount(late.id)).toBe(1); // processed, deliberately without effect
  });

  it("leaves a CANCELLED appointment alone", async () => {
    const appt = await book();
    await service.cancel(doctor, appt.id);
    await handle(started(appt, session()));
    expect(await row(appt.id)).toMatchObject({ status: "CANCELLED", session_id: null });
  });

  it("records a held consultation as COMPLETED even when a cancel raced its start event", async () => {
    const appt = await book();
    const sessionId = session();
    await service.cancel(doctor, appt.id);
    await handle(started(appt, sessionId));
    await handle(completed(appt, sessionId, 12));
    expect(await row(appt.id)).toMatchObject({
      status: "COMPLETED",
      session_id: sessionId,
      consultation_duration_minutes: 12,
    });
  });

  it("applies an event that moves its appointment in one statement, its inbox row included", async () => {
    const statements: string[] = [];
    const counted = database.db.withPlugin({
      transformQuery: (args) => {
        statements.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const once = createConsultationEventHandler({ db: counted, logger: pino({ level: "silent" }) });
    const appt = await book();
    const sessionId = session();
    const start = started(appt, sessionId);
    await once(start);
    expect(statements).toHaveLength(1);
    expect(await row(appt.id)).toMatchObject({ status: "IN_PROGRESS", session_id: sessionId });
    expect(await inboxCount(start.id)).toBe(1);

    statements.length = 0;
    const end = completed(appt, sessionId, 31);
    await once(end);
    expect(statements).toHaveLength(1);
    const after = await row(appt.id);
    expect(after).toMatchObject({ status: "COMPLETED", consultation_duration_minutes: 31 });
    expect(await inboxCount(end.id)).toBe(1);

    // A redelivery and a late event take the transaction (inbox row, guarded update, read): no effect.
    await once(structuredClone(end));
    await once(structuredClone(start));
    expect(await row(appt.id)).toEqual(after);
    expect(await inboxCount(end.id)).toBe(1);
    expect(await inboxCount(start.id)).toBe(1);
  });

  it.runIf(process.env.DATABASE_URL)(
    "applies nothing when another delivery of the event commits its inbox row while the statement waits for it",
    async () => {
      const appt = await book();
      const event = started(appt, session());
      // The other delivery: its inbox row written, not committed yet (on a connection of its own).
      await whileLockHeld(database.db, {
        hold: (other) =>
          other
            .insertInto("inbox")
            .values({ event_id: event.id, consumer: appointmentsQueue, type: event.type })
            .execute(),
        request: () => handle(event), // the key violation is a duplicate, not an error
        // Until the handler's statement waits for that row's transaction.
        never: "the handler's statement never waited for the other delivery",
      });
      // The other delivery stands for the event (it changed nothing here): ours rolled back.
      expect(await row(appt.id)).toMatchObject({ status: "SCHEDULED", session_id: null });
      expect(await inboxCount(event.id)).toBe(1);
    },
  );

  it("throws (for retry, then the dead-letter queue) on bad data or an unknown appointment, recording nothing", async () => {
    const appt = await book();
    // @ts-expect-error malformed on purpose: makeEvent does not compile a payload that misses fields
    const bad = makeEvent(EventTypes.consultationStarted, "video-service", { appointment_id: appt.id });
    await expect(handle(bad)).rejects.toThrow(/invalid data/);
    const unknown = started({ ...appt, id: `appt-${randomUUID()}` }, session());
    await expect(handle(unknown)).rejects.toThrow(/does not have/);
    const otherClinic = started({ ...appt, clinic_id: "clinic-2" }, session());
    await expect(handle(otherClinic)).rejects.toThrow(/does not have/);
    for (const e of [bad, unknown, otherClinic]) expect(await inboxCount(e.id)).toBe(0);
    expect(await row(appt.id)).toMatchObject({ status: "SCHEDULED" });
  });
});

/** Publishes the video service's events on `bus` and watches the app's answers. */
function flowOnBus(
  label: string,
  makeBus: () => Promise<{ bus: EventBus; cleanup: () => Promise<void> }>,
  faults: { deadLetters: (queue: string) => Promise<unknown[]>; canSever: boolean },
) {
  describe(`consultation events through the ${label}`, () => {
    let t: TestApp;
    let bus: EventBus;
    let cleanup: () => Promise<void>;
    const videoReceived: CloudEvent[] = [];

    beforeAll(async () => {
      ({ bus, cleanup } = await makeBus());
      // Stands in for the video service's queue, so appointment.booked has somewhere to go.
      await bus.subscribe(
        "video-service",
        [EventTypes.appointmentBooked, EventTypes.appointmentCancelled],
        async (e) => {
          videoReceived.push(e);
        },
      );
      t = await startTestApp({ bus });
    });
    afterAll(async () => {
      await t.close();
      await cleanup();
    });

    const get = async (id: string) => {
      const res = await t.app.inject({ url: `/api/appointments/${id}`, headers: await t.auth("doctor") });
      return res.json() as Appointment;
    };

    it("marks the appointment IN_PROGRESS, then COMPLETED; duplicates change nothing", async () => {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/appointments",
        headers: await t.auth("doctor"),
        payload: { patient_id: people.patient.id, patient_name: "P", start_time: inMinutes(5), duration_minutes: 30 },
      });
      const appt = res.json() as Appointment;
      const sessionId = session();
      const start = started(appt, sessionId);
      await bus.publish(start);
      await bus.publish(start); // at-least-once: the same event again
      await expect.poll(async () => (await get(appt.id)).status, { timeout: 10_000 }).toBe("IN_PROGRESS");

      const end = completed(appt, sessionId, 12);
      await bus.publish(end);
      await bus.publish(end);
      await expect.poll(async () => (await get(appt.id)).status, { timeout: 10_000 }).toBe("COMPLETED");
      const done = await get(appt.id);
      expect(done).toMatchObject({ session_id: sessionId, consultation_duration_minutes: 12 });
      await bus.publish(start); // a late redelivery of `started`
      if (bus instanceof InProcessBus) await bus.drain();
      await expect.poll(async () => (await get(appt.id)).updated_at, { timeout: 2000 }).toBe(done.updated_at);
    });

    it("dead-letters a consultation event it cannot apply, after retries", async () => {
      // @ts-expect-error malformed on purpose: makeEvent does not compile a payload that misses fields
      const poison = makeEvent(EventTypes.consultationCompleted, "video-service", { appointment_id: "appt-nope" });
      await bus.publish(poison);
      await expect
        .poll(async () => (await faults.deadLetters(appointmentsQueue)).map((e) => (e as CloudEvent).id), {
          timeout: 15_000,
        })
        .toEqual([poison.id]);
    });

    it.runIf(faults.canSever)("loses no booking made while the broker connection is down", async () => {
      const rabbit = bus as RabbitMqBus;
      rabbit.severConnectionForTests();
      await expect.poll(() => rabbit.connected, { timeout: 1000, interval: 10 }).toBe(false);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await t.app.inject({
          method: "POST",
          url: "/api/appointments",
          headers: await t.auth("doctor2"),
          payload: {
            patient_id: people.patient.id,
            patient_name: "P",
            start_time: inMinutes(600 + i * 60),
            duration_minutes: 30,
          },
        });
        expect(res.statusCode).toBe(201); // booking does not depend on the broker
        ids.push(res.json().id);
      }
      await expect.poll(() => rabbit.connected, { timeout: 15_000 }).toBe(true);
      await expect
        .poll(() => ids.filter((id) => videoReceived.some((e) => e.subject === id)).length, { timeout: 15_000 })
        .toBe(3);
    });
  });
}

const inProcess = new InProcessBus({ retryDelayMs: 5, maxAttempts: 3 });
flowOnBus("in-process bus", async () => ({ bus: inProcess, cleanup: () => inProcess.close() }), {
  deadLetters: async (queue) => inProcess.deadLetters.filter((d) => d.queue === queue).map((d) => d.event),
  canSever: false,
});

const amqpUrl = process.env.AMQP_URL;
describe.skipIf(!amqpUrl)(`on real RabbitMQ${amqpUrl ? "" : " (skipped: AMQP_URL is not set)"}`, () => {
  const run = randomBytes(4).toString("hex");
  const exchange = `test.appointments.${run}`;
  const queuePrefix = `test-${run}-`;
  const deadLetters = async (queue: string) => {
    const admin = await amqp.connect(amqpUrl!);
    try {
      const channel = await admin.createChannel();
      const found: unknown[] = [];
      for (let i = 0; i < 100; i++) {
        const msg = await channel.get(`${queuePrefix}${queue}.dlq`, { noAck: false });
        if (!msg) break;
        found.push(JSON.parse(msg.content.toString()));
      }
      return found; // unacked: they go back to the queue when this connection closes
    } finally {
      await admin.close();
    }
  };
  flowOnBus(
    "RabbitMQ bus",
    async () => {
      // A first reconnect delay long enough for the test to act while the link is down.
      const bus = await RabbitMqBus.connect({
        url: amqpUrl!,
        exchange,
        queuePrefix,
        retryDelayMs: 20,
        maxAttempts: 3,
        reconnect: { initialDelayMs: 1500, maxDelayMs: 3000 },
      });
      const cleanup = async () => {
        await bus.close();
        const admin = await amqp.connect(amqpUrl!);
        const channel = await admin.createChannel();
        for (const q of [appointmentsQueue, "video-service"]) {
          await channel.deleteQueue(`${queuePrefix}${q}`);
          await channel.deleteQueue(`${queuePrefix}${q}.dlq`);
        }
        await channel.deleteExchange(exchange);
        await channel.deleteExchange(`${exchange}.dlx`);
        await admin.close();
      };
      return { bus, cleanup };
    },
    { deadLetters, canSever: true },
  );
});
