/*
 * OpenTelemetry tracing, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or its traces-only variant)
 * is set. This module imports nothing from `@opentelemetry/*`: the SDK, the exporters and the
 * instrumentations are loaded by `initTracing` with a dynamic import only when tracing is on,
 * so the embedded stack's idle memory does not pay for them.
 *
 * Entry points call `initTracing` first and import the application afterwards (dynamic
 * imports), because the http/pg/amqplib instrumentations patch those modules as they load.
 * The event code calls the hooks below (`eventTracing`), which are pass-throughs until
 * tracing is on.
 */
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { CloudEvent } from "./events/event-bus.ts";

/** Where an event's trace context is recorded on its way through the outbox and the bus. */
export interface EventTracing {
  /** At enqueue: the event with `traceparent`/`tracestate` of the active trace (the request's). */
  enqueued(event: CloudEvent): CloudEvent;
  /** The relay's hand-over to the bus, in a PRODUCER span under the event's context. */
  publish<T>(event: CloudEvent, system: string, send: () => Promise<T>): Promise<T>;
  /** A handler run, in a CONSUMER span whose parent is the event's context. */
  consume<T>(event: CloudEvent, system: string, queue: string, handle: () => Promise<T>): Promise<T>;
}

const passThrough: EventTracing = {
  enqueued: (event) => event,
  publish: (_event, _system, send) => send(),
  consume: (_event, _system, _queue, handle) => handle(),
};

let hooks: EventTracing = passThrough;
let shutdown: (() => Promise<void>) | undefined;

/** The event hooks in effect (pass-throughs while tracing is off). */
export const eventTracing: EventTracing = {
  enqueued: (event) => hooks.enqueued(event),
  publish: (event, system, send) => hooks.publish(event, system, send),
  consume: (event, system, queue, handle) => hooks.consume(event, system, queue, handle),
};

type Env = Record<string, string | undefined>;

/** True when the standard OTLP endpoint variables ask for traces and the SDK is not disabled. */
export function tracingEnabled(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

export interface TracingOptions {
  /** `service.name` unless `OTEL_SERVICE_NAME` (or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`) says otherwise. */
  serviceName: string;
  /**
   * Tests: span processors to use instead of the OTLP exporter (an in-memory exporter); tracing
   * is then on whatever the environment says.
   */
  spanProcessors?: SpanProcessor[];
}

/**
 * Starts the OpenTelemetry SDK when tracing is enabled; resolves false (having imported
 * nothing) when it is not. Call it once, before the application's modules are imported.
 */
export async function initTracing(options: TracingOptions): Promise<boolean> {
  if (shutdown) return true;
  if (!options.spanProcessors && !tracingEnabled()) return false;
  const otel = await import("./tracing-otel.ts");
  const started = otel.startTracing(options);
  hooks = started.hooks;
  shutdown = started.shutdown;
  return true;
}

/** True while the SDK is started (`initTracing` resolved true and no `shutdownTracing` since). */
export function tracingActive(): boolean {
  return shutdown !== undefined;
}

/** Sends the spans still buffered and stops tracing (graceful shutdown); a no-op when off. */
export async function shutdownTracing(): Promise<void> {
  const stop = shutdown;
  shutdown = undefined;
  hooks = passThrough;
  await stop?.();
}
