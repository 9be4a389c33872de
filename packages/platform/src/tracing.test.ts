import { SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { envelope } from "./events/envelope.ts";
import type { CloudEvent } from "./events/event-bus.ts";
import { InProcessBus } from "./events/in-process-bus.ts";
import { migrateOutbox, openOutboxDatabase } from "./events/outbox.test-support.ts";
import { createOutboxRelay, enqueueEvent } from "./events/outbox.ts";
import { type App, createService } from "./server.ts";
import { initTracing, shutdownTracing, tracingEnabled } from "./tracing.ts";

/** The trace id of a W3C `traceparent` (version-traceid-spanid-flags). */
const traceIdOf = (traceparent: string | undefined) => traceparent?.split("-")[1];
const spanIdOf = (traceparent: string | undefined) => traceparent?.split("-")[2];

/**
 * Tracing set up in-process as production does (NodeSDK, the same instrumentations), with an
 * in-memory exporter: the Fastify request span, and the trace context an event takes from the
 * request through the outbox and the bus into its consumer's handler.
 */
describe("tracing (on, in-memory exporter)", () => {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  const database = openOutboxDatabase();
  const bus = new InProcessBus({ retryDelayMs: 5 });
  const received: { event: CloudEvent; activeTraceId: string | undefined }[] = [];
  let app: App;

  /**
   * Ended spans. An export can wait for the resource's detected attributes (host, process), so
   * the processor is flushed first.
   */
  const spans = async () => {
    await processor.forceFlush();
    return exporter.getFinishedSpans();
  };
  const named = async (name: string) => (await spans()).filter((s) => s.name === name);
  const only = (list: ReadableSpan[]) => {
    expect(list).toHaveLength(1);
    return list[0] as ReadableSpan;
  };
  /** The request's span ends in Fastify's onResponse hook, just after the reply: waited for. */
  const serverSpan = () =>
    vi.waitFor(async () => only((await spans()).filter((s) => s.kind === SpanKind.SERVER)), {
      timeout: 5000,
      interval: 20,
    });

  beforeAll(async () => {
    await initTracing({ serviceName: "tracing-test", spanProcessors: [processor] });
    await migrateOutbox(await database);
    await bus.subscribe("test-consumer", ["thing.happened"], async (event) => {
      received.push({ event, activeTraceId: trace.getActiveSpan()?.spanContext().traceId });
    });
    // Built after initTracing: @fastify/otel instruments every Fastify instance created from then on.
    app = await createService({ name: "tracing-test", title: "t", logLevel: "silent" });
    app.get("/things/:id", async () => ({ ok: true }));
    app.post("/things/:id", async (request) => {
      const { id } = request.params as { id: string };
      const db = (await database).db;
      await db.transaction().execute((trx) => enqueueEvent(trx, envelope("thing.happened", "test", { id }, id)));
      return { ok: true };
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await bus.close();
    await (await database).close();
    await shutdownTracing();
  });

  it("an HTTP request gets a SERVER span named by its route template, not its path", async () => {
    exporter.reset();
    const reply = await app.inject({ method: "GET", url: "/things/abc-123?token=secret" });
    expect(reply.statusCode).toBe(200);
    const server = await serverSpan();
    expect(server.attributes["http.route"]).toBe("/things/:id");
    expect(server.attributes["http.request.method"]).toBe("GET");
    // The query string (join tokens travel there) is not recorded.
    expect(JSON.stringify(server.attributes)).not.toContain("secret");
  });

  it("an event enqueued in a request carries its trace, and the consumer's handler runs in that trace", async () => {
    exporter.reset();
    received.length = 0;
    const reply = await app.inject({ method: "POST", url: "/things/t-1" });
    expect(reply.statusCode).toBe(200);
    const server = await serverSpan();
    const requestTraceId = server.spanContext().traceId;

    // Stored in the outbox with the extension attribute, under the request's trace.
    const row = await (await database).db.selectFrom("outbox").select("payload").executeTakeFirstOrThrow();
    const stored = (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as CloudEvent;
    expect(stored.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(traceIdOf(stored.traceparent)).toBe(requestTraceId);
    const create = only(await named("create thing.happened"));
    expect(create.kind).toBe(SpanKind.PRODUCER);
    // Under the request: its parent is the route handler's span, whose parent is the request's.
    const handler = only((await spans()).filter((s) => s.spanContext().spanId === create.parentSpanContext?.spanId));
    expect(handler.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(spanIdOf(stored.traceparent)).toBe(create.spanContext().spanId);

    // The relay sends it later, outside the request; the consumer still joins the trace.
    const relay = createOutboxRelay({ db: (await database).db, bus });
    expect(await relay.flush()).toBe(1);
    await bus.drain();
    expect(received).toHaveLength(1);
    expect(received[0]?.event.traceparent).toBe(stored.traceparent);
    expect(received[0]?.activeTraceId).toBe(requestTraceId);

    const send = only(await named("send thing.happened"));
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.spanContext().traceId).toBe(requestTraceId);
    const process = only(await named("process thing.happened"));
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.spanContext().traceId).toBe(requestTraceId);
    expect(process.parentSpanContext?.spanId).toBe(create.spanContext().spanId);
    expect(process.links.map((l) => l.context.spanId)).toEqual([create.spanContext().spanId]);
    expect(process.attributes["messaging.consumer.group.name"]).toBe("test-consumer");
    expect(process.attributes["messaging.message.id"]).toBe(stored.id);
  });

  it("events without a trace context, or with a malformed one, are handled in a trace of their own", async () => {
    exporter.reset();
    received.length = 0;
    await bus.publish(envelope("thing.happened", "test", { id: "plain" }));
    await bus.publish({ ...envelope("thing.happened", "test", { id: "forged" }), traceparent: "00-zz-not-a-trace-01" });
    await bus.drain();
    expect(received.map((r) => (r.event.data as { id: string }).id).sort()).toEqual(["forged", "plain"]);
    const processed = await named("process thing.happened");
    expect(processed).toHaveLength(2);
    for (const span of processed) {
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.links).toEqual([]);
    }
  });

  it("a failing handler's span is an error that names the error's type, not its message", async () => {
    exporter.reset();
    const failing = new InProcessBus({ maxAttempts: 1, retryDelayMs: 1 });
    await failing.subscribe("failing", ["thing.failed"], async () => {
      throw new TypeError("note text that must not leave the process");
    });
    await failing.publish(envelope("thing.failed", "test", {}));
    await failing.close();
    const span = only(await named("process thing.failed"));
    expect(span.status).toEqual({ code: 2, message: "TypeError" });
    expect(span.events).toEqual([]);
    expect(JSON.stringify(span.attributes)).not.toContain("note text");
  });
});

describe("tracingEnabled", () => {
  it("is on only with an OTLP endpoint, and off when the SDK is disabled or the exporter is none", () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: " " })).toBe(false);
    expect(tracingEnabled({ OTEL_SERVICE_NAME: "x" })).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces" })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" })).toBe(
      false,
    );
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_TRACES_EXPORTER: "none" })).toBe(
      false,
    );
  });
});
