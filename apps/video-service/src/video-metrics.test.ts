import { EventTypes } from "@clinic/contracts";
import { InProcessBus, makeEvent } from "@clinic/platform";
import { metricSample } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectSignal, type SignalClient, signalUrl } from "./testing/signal-client.ts";
import { appointmentBookedEvent, createHarness, type Harness, users } from "./testing/video-test-harness.ts";
import { freeTierRefreshMs } from "./video-metrics.ts";

describe("video service /metrics", () => {
  let h: Harness;
  let base: string;
  const bus = new InProcessBus({ maxAttempts: 1, retryDelayMs: 1 });
  const clients: SignalClient[] = [];

  beforeAll(async () => {
    h = await createHarness({ bus, env: { FREE_TIER_MINUTES: "100" } });
    base = await h.listen();
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await h?.close();
    await bus.close();
  });

  const scrape = async () => {
    const reply = await h.app.inject({ method: "GET", url: "/metrics" });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/^text\/plain/);
    return reply.body;
  };
  const value = async (name: string, labels: Record<string, string> = {}) => metricSample(await scrape(), name, labels);

  it("starts with every domain figure present and at zero", async () => {
    const text = await scrape();
    expect(metricSample(text, "video_signalling_connections")).toBe(0);
    expect(metricSample(text, "video_sessions_in_progress")).toBe(0);
    expect(metricSample(text, "outbox_pending_events")).toBe(0);
    expect(metricSample(text, "outbox_parked_events")).toBe(0);
    expect(metricSample(text, "inbox_duplicates_total", { consumer: "video-service" })).toBe(0);
    expect(metricSample(text, "events_dead_letter_messages", { queue: "video-service" })).toBe(0);
    expect(text).toContain("# TYPE video_free_tier_used_ratio gauge");
    expect(text).not.toContain("video_free_tier_used_ratio{");
  });

  it("counts sessions in progress, open signalling connections and the clinic's free-tier use", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    expect(await value("video_sessions_in_progress")).toBe(1);
    // consultation.started has no subscriber on this bus: it waits in the outbox.
    expect(await value("outbox_pending_events")).toBeGreaterThanOrEqual(1);

    const doctor = connectSignal(signalUrl(base, sessionId, body.doctor_attendee.join_token));
    clients.push(doctor);
    await doctor.next("welcome");
    expect(await value("video_signalling_connections")).toBe(1);

    // 30 attendee-minutes of a 100-minute free tier, once the cached figure is refreshed.
    h.advance(30 * 60_000);
    expect(freeTierRefreshMs).toBeLessThanOrEqual(30 * 60_000);
    const ratio = await value("video_free_tier_used_ratio", { clinic_id: "clinic-1" });
    expect(ratio).toBeCloseTo(0.3, 3);
    const usage = await h.app.inject({ url: "/api/video/metrics/usage", headers: await h.auth(users.admin) });
    expect(ratio).toBeCloseTo(usage.json().usage_percentage / 100, 3);
    // Labelled by clinic, never by session or person.
    const text = await scrape();
    expect(text).not.toContain(sessionId);
    expect(text).not.toContain(users.doctor.id);

    doctor.close();
    await vi.waitFor(async () => expect(await value("video_signalling_connections")).toBe(0), {
      timeout: 2000,
      interval: 20,
    });
    expect((await h.end(sessionId)).statusCode).toBe(200);
    expect(await value("video_sessions_in_progress")).toBe(0);
  });

  it("counts parked events apart from the pending ones", async () => {
    const db = h.app.video.database.db;
    await h.startedSession();
    const pending = (await value("outbox_pending_events")) ?? 0;
    expect(pending).toBeGreaterThanOrEqual(1);
    const parked = (await value("outbox_parked_events")) ?? 0;
    // As the relay parks a row after its last failed publish.
    await sql`UPDATE outbox SET parked_at = now() WHERE id = (SELECT min(id) FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL)`.execute(
      db,
    );
    expect(await value("outbox_parked_events")).toBe(parked + 1);
    expect(await value("outbox_pending_events")).toBe(pending - 1);
  });

  it("counts redelivered events the inbox skipped", async () => {
    const appointment = h.addAppointment();
    const booked = appointmentBookedEvent(appointment);
    const before = (await value("inbox_duplicates_total", { consumer: "video-service" })) ?? 0;
    expect(await h.app.video.handleEvent(booked)).toBe(true);
    expect(await value("inbox_duplicates_total", { consumer: "video-service" })).toBe(before);
    expect(await h.app.video.handleEvent(booked)).toBe(false);
    expect(await value("inbox_duplicates_total", { consumer: "video-service" })).toBe(before + 1);
  });

  it("reports the depth of the service's dead-letter queue", async () => {
    // A handler that always fails, on this service's queue: the bus gives up and dead-letters.
    const event = makeEvent(EventTypes.appointmentCancelled, "appointments-service", {
      appointment_id: "appt-00000000-0000-4000-8000-000000000000",
      clinic_id: "clinic-1",
      cancelled_at: new Date().toISOString(),
    });
    bus.deadLetters.push({ queue: "video-service", event, error: "handler failed" });
    bus.deadLetters.push({ queue: "appointments-service", event, error: "not ours" });
    expect(await value("events_dead_letter_messages", { queue: "video-service" })).toBe(1);
  });
});

describe("video service probes", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("readyz is 200 with the database up, 503 naming it once it is gone; livez stays 200", async () => {
    const ready = await h.app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: "UP", checks: { database: "UP" } });

    await h.app.video.database.close();
    const down = await h.app.inject({ url: "/readyz" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 503,
      code: "NOT_READY",
      error: "Not ready: database unavailable",
      checks: { database: "DOWN" },
    });
    expect((await h.app.inject({ url: "/livez" })).statusCode).toBe(200);
    // /health keeps its own shape.
    expect((await h.app.inject({ url: "/health" })).json()).toMatchObject({ status: "DOWN", service: "video-service" });
    // The metrics still answer, the database figures unknown.
    const metrics = await h.app.inject({ url: "/metrics" });
    expect(metrics.statusCode).toBe(200);
    expect(metricSample(metrics.body, "video_sessions_in_progress")).toBeNaN();
  });
});
