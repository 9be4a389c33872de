import { randomBytes } from "node:crypto";
import { EventTypes } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import { initTracing, shutdownTracing } from "@clinic/platform/tracing";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { appointmentStatus, bookNow, endSession, startSession } from "../support/flows.ts";
import { call } from "../support/http.ts";
import { type System, startSystem } from "../support/system.ts";

/**
 * A consultation as one trace across services: the video service's request enqueues a
 * consultation event with the request's `traceparent`, the outbox relay and the bus (the
 * in-process one, or RabbitMQ with AMQP_URL) carry it, and the appointments service's handler
 * runs in a CONSUMER span of that trace. Tracing is set up in this process as production sets
 * it up (NodeSDK and its instrumentations), exporting to memory.
 */
describe(`tracing across the video and appointments services (${backend})`, () => {
  const exporter = new InMemorySpanExporter();
  const topology = busTopology("tracing");
  let system: System;

  beforeAll(async () => {
    await initTracing({ serviceName: "suite", spanProcessors: [new SimpleSpanProcessor(exporter)] });
    // Load shedding is not under test here: the start-up of three services on a busy machine
    // must not answer the flow's requests 503.
    system = await startSystem({
      bus: await topology.connect(),
      gateway: true,
      env: { MAX_EVENT_LOOP_DELAY_MS: "0" },
    });
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
    await shutdownTracing();
  });

  const spans = () => exporter.getFinishedSpans();
  const serverSpan = (route: RegExp, traceId?: string) =>
    spans().find(
      (s) =>
        s.kind === SpanKind.SERVER &&
        route.test(String(s.attributes["http.route"])) &&
        (!traceId || s.spanContext().traceId === traceId),
    );
  /** The appointments service's handler span for the event of `type` about `appointmentId`. */
  const handled = (type: string, eventIds: Set<string>) =>
    spans().find(
      (s) =>
        s.name === `process ${type}` &&
        String(s.attributes["messaging.consumer.group.name"]).endsWith("appointments-service") &&
        eventIds.has(String(s.attributes["messaging.message.id"])),
    );
  const created = (type: string, traceId: string) =>
    spans().filter((s) => s.name === `create ${type}` && s.spanContext().traceId === traceId);

  /** The event's create span, and the appointments handler span that is its child. */
  async function followEvent(type: string, traceId: string): Promise<{ create: ReadableSpan; process: ReadableSpan }> {
    return eventually(
      `the appointments service to handle ${type}`,
      async () => {
        const [create] = created(type, traceId);
        if (!create) return undefined;
        const process = handled(type, new Set([String(create.attributes["messaging.message.id"])]));
        return process ? { create, process } : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
  }

  it("POST …/end → appointment.consultation.completed → COMPLETED is one trace", async () => {
    const appointment = await bookNow(system);
    const doctor = await system.token("doctor");
    const started = await startSession(system.urls.video, doctor, appointment.id);
    expect(started.status, started.text).toBe(200);
    await eventually(
      "IN_PROGRESS",
      async () => (await appointmentStatus(system, appointment.id)).status === "IN_PROGRESS",
    );

    const ended = await endSession(system.urls.video, doctor, started.body.session_id);
    expect(ended.status, ended.text).toBe(200);
    await eventually("COMPLETED", async () => (await appointmentStatus(system, appointment.id)).status === "COMPLETED");

    const end = await eventually("the end request's span", async () => serverSpan(/\/sessions\/:session_id\/end$/));
    const traceId = end.spanContext().traceId;
    const { create, process } = await followEvent(EventTypes.consultationCompleted, traceId);
    expect(create.kind).toBe(SpanKind.PRODUCER);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.spanContext().traceId).toBe(traceId);
    expect(process.parentSpanContext?.spanId).toBe(create.spanContext().spanId);
  });

  it("a request through the gateway is one trace with the service's handling of it", async () => {
    const appointment = await bookNow(system, "doctor", "patient", 180); // not in the way of the flows below
    const reply = await call(system.urls.gateway, "GET", `/appointments/api/appointments/${appointment.id}`, {
      token: await system.token("doctor"),
    });
    expect(reply.status, reply.text).toBe(200);
    const path = `/api/appointments/${appointment.id}`;
    const service = await eventually("the appointments service's span", async () =>
      spans().find(
        (s) => s.kind === SpanKind.SERVER && s.attributes["url.path"] === path && s.parentSpanContext !== undefined,
      ),
    );
    const traceId = service.spanContext().traceId;
    // The gateway's span (its proxy route) is in the same trace, and the proxied call's CLIENT
    // span is the service span's parent: the gateway passed its context on.
    // (A server span ends in onResponse, just after the answer went out: waited for.)
    await eventually("the gateway's span in the trace", async () => serverSpan(/^\/appointments\//, traceId));
    const proxied = spans().find((s) => s.spanContext().spanId === service.parentSpanContext?.spanId);
    expect(proxied?.kind).toBe(SpanKind.CLIENT);
    expect(proxied?.spanContext().traceId).toBe(traceId);
  });

  it("records an invite link's path without its token in every span", async () => {
    const token = randomBytes(32).toString("base64url");
    // The web app's invite page through the gateway (answered by the web app or a 404 alike).
    await call(system.urls.gateway, "GET", `/join/${token}?utm=x`);
    const span = await eventually("the gateway's span of /join", async () =>
      spans().find((s) => s.kind === SpanKind.SERVER && String(s.attributes["url.path"]).startsWith("/join/")),
    );
    expect(span.attributes["url.path"]).toBe("/join/[redacted]");
    const leaks = spans().filter((s) => JSON.stringify({ name: s.name, attributes: s.attributes }).includes(token));
    expect(leaks.map((s) => s.name)).toEqual([]);
  });

  it("with the caller's traceparent on start and end, the whole consultation is one trace", async () => {
    const appointment = await bookNow(system);
    const doctor = await system.token("doctor");
    const traceId = randomBytes(16).toString("hex");
    const headers = { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` };

    const started = await call<{ session_id: string }>(
      system.urls.video,
      "POST",
      `/api/video/sessions/${appointment.id}/start`,
      { token: doctor, body: { booking_type: "CLINIC_BASED" }, headers },
    );
    expect(started.status, started.text).toBe(200);
    await eventually(
      "IN_PROGRESS",
      async () => (await appointmentStatus(system, appointment.id)).status === "IN_PROGRESS",
    );
    const ended = await call(system.urls.video, "POST", `/api/video/sessions/${started.body.session_id}/end`, {
      token: doctor,
      body: {},
      headers,
    });
    expect(ended.status, ended.text).toBe(200);
    await eventually("COMPLETED", async () => (await appointmentStatus(system, appointment.id)).status === "COMPLETED");

    await eventually("start in the trace", async () => serverSpan(/\/sessions\/:appointment_id\/start$/, traceId));
    await eventually("end in the trace", async () => serverSpan(/\/sessions\/:session_id\/end$/, traceId));
    const start = await followEvent(EventTypes.consultationStarted, traceId);
    const end = await followEvent(EventTypes.consultationCompleted, traceId);
    expect(start.process.spanContext().traceId).toBe(traceId);
    expect(end.process.spanContext().traceId).toBe(traceId);
  });
});
