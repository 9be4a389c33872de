import { randomBytes, randomUUID } from "node:crypto";
import { EventTypes } from "@clinic/contracts";
import { type CloudEvent, makeEvent, RabbitMqBus } from "@clinic/platform";
import amqp from "amqplib";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createHarness, users } from "../testing/video-test-harness.ts";

const url = process.env.AMQP_URL;
/** `vi.waitFor` bounded in time, so a broken bus fails the test, not hangs it. */
const bounded = { timeout: 15_000, interval: 50 };

// CI sets AMQP_URL: the outbox relay publishes to, and the booked/cancelled handlers consume
// from, a real broker (an exchange and queues of this run only, deleted afterwards).
describe.skipIf(!url)("consultation events on RabbitMQ", () => {
  const run = randomBytes(4).toString("hex");
  const exchange = `test.video.${run}`;
  const queuePrefix = `test-${run}-`;
  const buses: RabbitMqBus[] = [];
  const connect = async () => {
    const bus = await RabbitMqBus.connect({ url: url!, exchange, queuePrefix, retryDelayMs: 50 });
    buses.push(bus);
    return bus;
  };

  afterAll(async () => {
    for (const bus of buses) await bus.close().catch(() => undefined);
    const admin = await amqp.connect(url!);
    const channel = await admin.createChannel();
    for (const q of ["video-service", "test-appointments"]) {
      await channel.deleteQueue(`${queuePrefix}${q}`).catch(() => undefined);
      await channel.deleteQueue(`${queuePrefix}${q}.dlq`).catch(() => undefined);
    }
    await channel.deleteExchange(exchange).catch(() => undefined);
    await channel.deleteExchange(`${exchange}.dlx`).catch(() => undefined);
    await admin.close();
  });

  it("start/end reach a consumer through the broker, and appointment.booked creates a session", async () => {
    const bus = await connect();
    const seen: CloudEvent[] = [];
    await bus.subscribe(
      "test-appointments",
      [EventTypes.consultationStarted, EventTypes.consultationCompleted],
      async (e) => {
        seen.push(e);
      },
    );
    const h = await createHarness({ bus });
    try {
      const { body } = await h.startedSession();
      await h.end(body.session_id, users.doctor);
      await h.app.video.relay.flush();
      await vi.waitFor(() => {
        expect(seen.map((e) => e.type)).toEqual([EventTypes.consultationStarted, EventTypes.consultationCompleted]);
      }, bounded);
      expect(await h.app.video.relay.pending()).toBe(0);

      const appointmentId = `appt-${randomUUID()}`;
      await bus.publish(
        makeEvent(EventTypes.appointmentBooked, "appointments-service", {
          appointment_id: appointmentId,
          clinic_id: "clinic-1",
          doctor_id: users.doctor.id,
          patient_id: users.patient.id,
          patient_name: users.patient.name,
          start_time: h.clock.now.toISOString(),
          duration_minutes: 30,
          booking_type: "CLINIC_BASED",
          video_enabled: true,
        }),
      );
      await vi.waitFor(async () => {
        const row = await h.app.video.database.db
          .selectFrom("sessions")
          .select("status")
          .where("appointment_id", "=", appointmentId)
          .executeTakeFirst();
        expect(row?.status).toBe("CREATED");
      }, bounded);
    } finally {
      await h.close();
    }
  });
});
