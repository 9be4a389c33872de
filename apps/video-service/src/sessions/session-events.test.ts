import { ConsultationCompletedData, ConsultationStartedData, EventTypes } from "@clinic/contracts";
import { type CloudEvent, InProcessBus } from "@clinic/platform";
import { Value } from "typebox/value";
import { describe, expect, it } from "vitest";
import { durableDatabase } from "../testing/durable-database.ts";
import { createHarness, users } from "../testing/video-test-harness.ts";

const consultationTypes = [EventTypes.consultationStarted, EventTypes.consultationCompleted];

function collect(bus: InProcessBus): CloudEvent[] {
  const seen: CloudEvent[] = [];
  void bus.subscribe("test-appointments", consultationTypes, async (event) => {
    seen.push(event);
  });
  return seen;
}

describe("consultation events (outbox)", () => {
  it("start and end publish started/completed CloudEvents with the contract's data", async () => {
    const bus = new InProcessBus();
    const seen = collect(bus);
    const h = await createHarness({ bus });
    try {
      const { appointment, body } = await h.startedSession();
      h.advance(12 * 60_000 + 31_000);
      await h.app.inject({
        method: "POST",
        url: `/api/video/sessions/${body.session_id}/end`,
        headers: await h.auth(users.doctor),
        payload: {},
      });
      await h.app.video.relay.flush();
      await bus.drain();
      const [started, completed] = seen;
      expect(started).toMatchObject({
        specversion: "1.0",
        type: EventTypes.consultationStarted,
        source: "video-service",
      });
      expect(Value.Check(ConsultationStartedData, started?.data)).toBe(true);
      expect(started?.data).toMatchObject({
        appointment_id: appointment.id,
        session_id: body.session_id,
        doctor_id: users.doctor.id,
      });
      expect(Value.Check(ConsultationCompletedData, completed?.data)).toBe(true);
      expect(completed?.data).toMatchObject({
        session_id: body.session_id,
        duration_seconds: 751,
        duration_minutes: 13,
      });
      expect(await h.app.video.relay.pending()).toBe(0);
    } finally {
      await h.close();
      await bus.close();
    }
  });

  it("an event not yet delivered survives a restart and is delivered by the next instance", async () => {
    const database = durableDatabase();
    // First instance: the broker is down (a closed bus refuses every publish).
    const downBus = new InProcessBus();
    await downBus.close();
    const first = await createHarness({ bus: downBus, database });
    const { body } = await first.startedSession();
    await first.app.inject({
      method: "POST",
      url: `/api/video/sessions/${body.session_id}/end`,
      headers: await first.auth(users.doctor),
      payload: {},
    });
    await first.app.video.relay.flush();
    expect(await first.app.video.relay.pending()).toBe(2);
    await first.close(true);

    // Second instance on the same database, broker back: the relay sends what was waiting.
    const bus = new InProcessBus();
    const seen = collect(bus);
    const second = await createHarness({ bus, database });
    try {
      await second.app.video.relay.flush();
      await bus.drain();
      expect(seen.map((e) => e.type)).toEqual(consultationTypes);
      expect(seen.every((e) => (e.data as { session_id: string }).session_id === body.session_id)).toBe(true);
      expect(await second.app.video.relay.pending()).toBe(0);
    } finally {
      await second.close();
      await bus.close();
    }
  });

  it("flushes the outbox on graceful shutdown: an event still waiting is published before the app finishes closing", async () => {
    const bus = new InProcessBus();
    const h = await createHarness({ bus });
    let closed = false;
    try {
      // Refused a moment ago (its consumer was not up yet), the start's event waits out a backoff.
      const { appointment } = await h.startedSession();
      await h.app.video.relay.notify();
      expect(await h.app.video.relay.pending()).toBe(1);
      const seen = collect(bus);
      await h.close();
      closed = true;
      await bus.drain();
      expect(seen.map((e) => [e.type, e.subject])).toEqual([[EventTypes.consultationStarted, appointment.id]]);
    } finally {
      if (!closed) await h.close();
      await bus.close();
    }
  });
});
