import { randomBytes, randomUUID } from "node:crypto";
import { type Appointment, EventTypes } from "@clinic/contracts";
import { type EventBus, InProcessBus, makeEvent, RabbitMqBus } from "@clinic/platform";
import { deleteBrokerObjects, metricSample } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appointmentsQueue } from "./appointments/consultation-events.ts";
import { inMinutes, people, startTestApp, type TestApp } from "./testing/test-app.ts";

const amqpUrl = process.env.AMQP_URL;

function metricsOnBus(label: string, makeBus: () => Promise<{ bus: EventBus; cleanup: () => Promise<void> }>) {
  describe(`appointments service /metrics (${label})`, () => {
    let t: TestApp;
    let bus: EventBus;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ bus, cleanup } = await makeBus());
      t = await startTestApp({ bus });
    });
    afterAll(async () => {
      await t?.close();
      await cleanup?.();
    });

    const value = async (name: string, labels: Record<string, string> = {}) => {
      const reply = await t.app.inject({ method: "GET", url: "/metrics" });
      expect(reply.statusCode).toBe(200);
      return metricSample(reply.body, name, labels);
    };
    const started = (appt: Pick<Appointment, "id" | "clinic_id" | "doctor_id">) =>
      makeEvent(EventTypes.consultationStarted, "video-service", {
        appointment_id: appt.id,
        session_id: `sess-${randomUUID()}`,
        clinic_id: appt.clinic_id,
        doctor_id: appt.doctor_id,
        started_at: new Date().toISOString(),
      });

    it("reports the outbox backlog: a booking nobody consumes yet waits in it", async () => {
      expect(await value("outbox_parked_events")).toBe(0);
      const res = await t.app.inject({
        method: "POST",
        url: "/api/appointments",
        headers: await t.auth("doctor"),
        payload: { patient_id: people.patient.id, patient_name: "P", start_time: inMinutes(5), duration_minutes: 30 },
      });
      expect(res.statusCode).toBe(201);
      // No queue is bound for appointment.booked on this bus: the relay keeps it.
      expect(await value("outbox_pending_events")).toBeGreaterThanOrEqual(1);
    });

    it("counts a redelivered event once as a duplicate", async () => {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/appointments",
        headers: await t.auth("doctor"),
        payload: { patient_id: people.patient.id, patient_name: "P", start_time: inMinutes(120), duration_minutes: 30 },
      });
      expect(res.statusCode).toBe(201);
      const appt = res.json() as Appointment;
      const before = (await value("inbox_duplicates_total", { consumer: appointmentsQueue })) ?? -1;
      expect(before).toBeGreaterThanOrEqual(0);
      const event = started(appt);
      await bus.publish(event);
      await expect
        .poll(
          async () =>
            (await t.app.inject({ url: `/api/appointments/${appt.id}`, headers: await t.auth("doctor") })).json()
              .status,
          {
            timeout: 10_000,
          },
        )
        .toBe("IN_PROGRESS");
      await bus.publish(event);
      await expect
        .poll(() => value("inbox_duplicates_total", { consumer: appointmentsQueue }), { timeout: 10_000 })
        .toBe(before + 1);
    });

    it("reports the dead-letter queue's depth once an event is given up on", async () => {
      expect(await value("events_dead_letter_messages", { queue: appointmentsQueue })).toBe(0);
      // Names an appointment this service does not have: every attempt fails.
      await bus.publish(started({ id: `appt-${randomUUID()}`, clinic_id: "clinic-1", doctor_id: people.doctor.id }));
      await expect
        .poll(() => value("events_dead_letter_messages", { queue: appointmentsQueue }), { timeout: 15_000 })
        .toBe(1);
    });
  });
}

metricsOnBus("in-process bus", async () => {
  const bus = new InProcessBus({ retryDelayMs: 5, maxAttempts: 2 });
  return { bus, cleanup: () => bus.close() };
});

describe.runIf(amqpUrl)("RabbitMQ", () => {
  const run = randomBytes(4).toString("hex");
  const exchange = `test.metrics.${run}`;
  const queuePrefix = `test.metrics.${run}.`;
  metricsOnBus("RabbitMQ bus", async () => {
    const bus = await RabbitMqBus.connect({ url: amqpUrl!, exchange, queuePrefix, retryDelayMs: 20, maxAttempts: 2 });
    return {
      bus,
      cleanup: async () => {
        await bus.close();
        await deleteBrokerObjects(amqpUrl!, exchange, [`${queuePrefix}${appointmentsQueue}`]);
      },
    };
  });
});
