import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { withTimeout } from "./timeout.ts";

/** prom-client's registry, named for the apps (which do not depend on prom-client themselves). */
export type { Registry as MetricsRegistry } from "prom-client";

declare module "fastify" {
  interface FastifyInstance {
    /** This app's Prometheus registry: domain code adds its gauges and counters here. */
    metrics: Registry;
  }
}

/** Seconds; from a health check (~1 ms) to the gateway's upstream timeout (10 s). */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A scrape never waits longer than this for one gauge's query (Prometheus' own timeout is 10 s). */
const collectTimeoutMs = 2000;

/**
 * One Prometheus registry per app (the embedded stack runs several apps in one process,
 * whose metrics would collide in prom-client's global registry), labelled with the service,
 * with Node's process metrics and `http_request_duration_seconds` per route. The route label
 * is the route's template (`/api/video/sessions/:session_id`), never the URL: ids would make
 * a series per session.
 */
export function registerMetrics(app: FastifyInstance, options: { service: string; route: boolean }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time from request received to response sent, by method, route template and status code",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: durationBuckets,
    registers: [registry],
  });
  app.decorate("metrics", registry);
  // Callback style: an async hook costs a promise on every request.
  app.addHook("onResponse", (request, reply, done) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    done();
  });
  if (options.route) {
    app.get("/metrics", { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type(registry.contentType)
        .header("cache-control", "no-store")
        .send(await registry.metrics()),
    );
  }
  return registry;
}

export interface ObservedGaugeOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /**
   * Reads the current values at scrape time: a number for an unlabelled gauge, else one
   * entry per label set. Runs on every scrape, so it must be cheap (an indexed count).
   */
  read: () => Promise<number | { labels: Record<L, string>; value: number }[]>;
  log: FastifyBaseLogger;
}

/**
 * A gauge read when Prometheus scrapes. When the read fails or times out (database down) the
 * gauge says so instead of repeating a stale figure: an unlabelled one reports NaN, a
 * labelled one no series, and a warning is logged. The rest of the scrape is unaffected.
 */
export function observedGauge<L extends string>(registry: Registry, options: ObservedGaugeOptions<L>): Gauge<L> {
  const labelled = (options.labelNames?.length ?? 0) > 0;
  return new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [registry],
    async collect() {
      try {
        const values = await withTimeout(options.read(), collectTimeoutMs);
        this.reset();
        if (typeof values === "number") this.set(values);
        else for (const { labels, value } of values) this.set(labels as Partial<Record<L, string>>, value);
      } catch (err) {
        this.reset();
        if (!labelled) this.set(Number.NaN);
        options.log.warn({ metric: options.name, err }, "metric could not be read");
      }
    },
  });
}

/** A counter on `registry` (a shorthand that keeps prom-client's types out of domain code). */
export function counter<L extends string>(
  registry: Registry,
  options: { name: string; help: string; labelNames?: readonly L[] },
): Counter<L> {
  return new Counter<L>({ ...options, labelNames: options.labelNames ?? [], registers: [registry] });
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on a listener of its own, for an app whose port is public (the gateway):
 * Prometheus reaches it on an internal address, browsers never do.
 */
export async function serveMetrics(registry: Registry, port: number, host: string): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "").split("?")[0];
    if (request.method !== "GET" || path !== "/metrics") {
      response.writeHead(404, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify({ error: "Not found", status: 404, code: "ROUTE_NOT_FOUND" }));
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
        response.end(text);
      },
      () => {
        response.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        response.end(JSON.stringify({ error: "Internal server error", status: 500, code: "INTERNAL" }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
