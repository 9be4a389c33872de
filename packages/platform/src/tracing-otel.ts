/*
 * The OpenTelemetry side of tracing.ts, imported only when tracing is on. Production spans:
 * an HTTP SERVER span per request (instrumentation-http, named with the route template that
 * @fastify/otel records), Fastify's request/handler spans, outgoing http/fetch/proxy calls,
 * pg queries (parameterised text only, never values), amqplib publish/consume, and the event
 * spans made here: `create`
 * when an event is written to the outbox, `send` when the relay hands it to the bus, and
 * `process` around the consumer's handler, parented by the context the event carries.
 */
import { FastifyOtelInstrumentation } from "@fastify/otel";
import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { AmqplibInstrumentation } from "@opentelemetry/instrumentation-amqplib";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { core, NodeSDK, resources } from "@opentelemetry/sdk-node";
import type { CloudEvent } from "./events/event-bus.ts";
import { loggablePath } from "./logger.ts";
import type { EventTracing, TracingOptions } from "./tracing.ts";

/** Probes and scrapes run every few seconds: tracing them would bury the real traffic. */
const probePath = /^\/(health|livez|readyz|metrics)(\/|\?|$)/;

/**
 * Query strings can carry join tokens (the signalling WebSocket) and `/join/<token>` is an
 * invite link: spans record paths only, with the invite token redacted (as the logs do).
 */
const pathOf = (url: string | undefined) => loggablePath(url ?? "/");

/**
 * The CloudEvents Distributed Tracing extension is W3C Trace Context, whatever
 * `OTEL_PROPAGATORS` chooses for HTTP headers.
 */
const w3c = new core.W3CTraceContextPropagator();

function contextOf(event: CloudEvent): Context | undefined {
  if (typeof event.traceparent !== "string") return undefined;
  const carrier: Record<string, string> = { traceparent: event.traceparent };
  if (typeof event.tracestate === "string") carrier.tracestate = event.tracestate;
  const extracted = w3c.extract(context.active(), carrier, defaultTextMapGetter);
  // A malformed traceparent (it came from another service) is ignored, never trusted.
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

function eventAttributes(event: CloudEvent, system: string, operation: string): Attributes {
  return {
    "messaging.system": system,
    "messaging.operation.type": operation,
    "messaging.destination.name": event.type,
    "messaging.message.id": event.id,
    "cloudevents.event_id": event.id,
    "cloudevents.event_type": event.type,
    "cloudevents.event_source": event.source,
  };
}

/**
 * Errors end the span as ERROR with their type only: messages of database and handler errors
 * can quote values (medical data), which must not reach the trace backend.
 */
async function inSpan<T>(span: Span, parent: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (err) {
    const type = err instanceof Error ? err.name : typeof err;
    span.setAttribute("error.type", type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    throw err;
  } finally {
    span.end();
  }
}

function eventHooks(): EventTracing {
  const tracer = trace.getTracer("@clinic/platform");
  return {
    enqueued(event) {
      const active = context.active();
      const span = tracer.startSpan(
        `create ${event.type}`,
        { kind: SpanKind.PRODUCER, attributes: eventAttributes(event, "outbox", "create") },
        active,
      );
      const carrier: Record<string, string> = {};
      w3c.inject(trace.setSpan(active, span), carrier, defaultTextMapSetter);
      span.end();
      // The context of this enqueue replaces any the event came with.
      const { traceparent: _traceparent, tracestate: _tracestate, ...rest } = event;
      return { ...rest, ...carrier };
    },
    publish(event, system, send) {
      const parent = contextOf(event) ?? context.active();
      const span = tracer.startSpan(
        `send ${event.type}`,
        { kind: SpanKind.PRODUCER, attributes: eventAttributes(event, system, "send") },
        parent,
      );
      return inSpan(span, parent, send);
    },
    consume(event, system, queue, handle) {
      const origin = contextOf(event);
      const parent = origin ?? context.active();
      const originSpan = origin ? trace.getSpanContext(origin) : undefined;
      // Parent and link both (messaging conventions): the link survives a backend that
      // re-roots consumer spans, the parent makes the flow one trace.
      const span = tracer.startSpan(
        `process ${event.type}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: { ...eventAttributes(event, system, "process"), "messaging.consumer.group.name": queue },
          ...(originSpan ? { links: [{ context: originSpan }] } : {}),
        },
        parent,
      );
      return inSpan(span, parent, handle);
    },
  };
}

export function startTracing(options: TracingOptions): { hooks: EventTracing; shutdown: () => Promise<void> } {
  const instrumentations = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => probePath.test(req.url ?? ""),
      // Custom attributes override the instrumentation's own `url.path` / `http.target`.
      startIncomingSpanHook: (req) => ({
        "url.path": pathOf(req.url),
        "http.target": pathOf(req.url),
        ...(req.url?.includes("?") ? { "url.query": "[redacted]" } : {}),
      }),
      startOutgoingSpanHook: (req) => {
        const port = req.port ? `:${req.port}` : "";
        return {
          "url.full": `${req.protocol ?? "http:"}//${req.hostname ?? req.host}${port}${pathOf(req.path ?? "/")}`,
        };
      },
    }),
    // fetch() and the gateway's proxy (undici): client spans, and `traceparent` passed on so
    // the upstream service's spans join the caller's trace. Background calls stay untraced.
    new UndiciInstrumentation({
      requireParentforSpans: true,
      startSpanHook: (req) =>
        req.path.includes("?") ? { "url.full": `${req.origin}${pathOf(req.path)}`, "url.query": "[redacted]" } : {},
    }),
    new FastifyOtelInstrumentation({
      // Every Fastify instance created from now on is instrumented (diagnostics channel),
      // without a plugin registered in each app.
      registerOnInitialization: true,
      // The request and its handler; a span per lifecycle hook (helmet, rate limit…) is noise.
      instrumentHooks: false,
      ignorePaths: (route) => probePath.test(route.url ?? ""),
      requestHook: (span, request) => span.setAttribute("url.path", pathOf(request.url)),
    }),
    // Never `enhancedDatabaseReporting`: it would put query parameter values in spans.
    // Only inside a traced operation: the relay's idle polls would be a trace a second.
    new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
    new AmqplibInstrumentation(),
  ];
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (detected) override this default.
    resource: resources
      .defaultResource()
      .merge(resources.resourceFromAttributes({ "service.name": options.serviceName })),
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    // Traces only: logs go through pino, metrics through /metrics.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations,
  });
  sdk.start();
  return {
    hooks: eventHooks(),
    shutdown: async () => {
      for (const instrumentation of instrumentations) instrumentation.disable();
      await sdk.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
