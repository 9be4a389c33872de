import { afterEach, describe, expect, it } from "vitest";
import { counter, observedGauge, serveMetrics } from "./metrics.ts";
import { type App, createService } from "./server.ts";
import { metricSample as sample } from "./testing/index.ts";

describe("Prometheus metrics of a platform service", () => {
  const apps: App[] = [];
  const build = async (name: string, extra: { metricsRoute?: boolean } = {}) => {
    const app = await createService({ name, title: "t", logLevel: "silent", ...extra });
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  it("serves GET /metrics as Prometheus text with a request histogram labelled by route template", async () => {
    const app = await build("metrics-test");
    app.get("/items/:id", async () => ({ ok: true }));
    expect((await app.inject({ method: "GET", url: "/items/item-42?x=1" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/nowhere/item-43" })).statusCode).toBe(404);

    const reply = await app.inject({ method: "GET", url: "/metrics" });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = reply.body;
    expect(text).toContain("# TYPE http_request_duration_seconds histogram");
    const labels = { method: "GET", route: "/items/:id", status_code: "200", service: "metrics-test" };
    expect(sample(text, "http_request_duration_seconds_count", labels)).toBe(1);
    expect(sample(text, "http_request_duration_seconds_bucket", { ...labels, le: "+Inf" })).toBe(1);
    expect(sample(text, "http_request_duration_seconds_count", { route: "unmatched", status_code: "404" })).toBe(1);
    // Never the URL: an id in a label would be a series per id.
    expect(text).not.toContain("item-42");
    expect(text).not.toContain("item-43");
    expect(text).toContain("process_resident_memory_bytes");
  });

  it("keeps each app's figures in its own registry (the embedded stack runs several in one process)", async () => {
    const first = await build("first-service");
    const second = await build("second-service");
    first.get("/ping", async () => "pong");
    second.get("/ping", async () => "pong");
    await first.inject({ method: "GET", url: "/ping" });
    await first.inject({ method: "GET", url: "/ping" });
    await second.inject({ method: "GET", url: "/ping" });
    const one = (await first.inject({ method: "GET", url: "/metrics" })).body;
    const two = (await second.inject({ method: "GET", url: "/metrics" })).body;
    expect(sample(one, "http_request_duration_seconds_count", { route: "/ping" })).toBe(2);
    expect(sample(two, "http_request_duration_seconds_count", { route: "/ping" })).toBe(1);
    expect(two).not.toContain("first-service");
  });

  it("has no /metrics route when the app's port is public (metricsRoute: false)", async () => {
    const app = await build("public-service", { metricsRoute: false });
    const reply = await app.inject({ method: "GET", url: "/metrics" });
    expect(reply.statusCode).toBe(404);
    expect(reply.json()).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND" });
  });

  it("reads observed gauges at scrape time, and reports a failed read as unknown without failing the scrape", async () => {
    const app = await build("gauges");
    let value = 3;
    let failing = false;
    const read = async () => {
      if (failing) throw new Error("database is down");
      return value;
    };
    observedGauge(app.metrics, { name: "things_open", help: "things", read, log: app.log });
    observedGauge(app.metrics, {
      name: "things_by_kind",
      help: "things by kind",
      labelNames: ["kind"],
      read: async () => [{ labels: { kind: "round" }, value: await read() }],
      log: app.log,
    });
    const scrape = async () => (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(sample(await scrape(), "things_open")).toBe(3);
    value = 5;
    const text = await scrape();
    expect(sample(text, "things_open")).toBe(5);
    expect(sample(text, "things_by_kind", { kind: "round" })).toBe(5);

    failing = true;
    const reply = await app.inject({ method: "GET", url: "/metrics" });
    expect(reply.statusCode).toBe(200);
    expect(sample(reply.body, "things_open")).toBeNaN();
    expect(sample(reply.body, "things_by_kind", { kind: "round" })).toBeUndefined();
  });

  it("counts with counters registered on the app's registry", async () => {
    const app = await build("counters");
    const failures = counter(app.metrics, { name: "failures_total", help: "failures", labelNames: ["reason"] });
    failures.inc({ reason: "bad" });
    failures.inc({ reason: "bad" });
    const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(sample(text, "failures_total", { reason: "bad" })).toBe(2);
  });

  it("serves a registry on a listener of its own, /metrics only", async () => {
    const app = await build("listener", { metricsRoute: false });
    const listener = await serveMetrics(app.metrics, 0, "127.0.0.1");
    try {
      expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const reply = await fetch(listener.url);
      expect(reply.status).toBe(200);
      expect(reply.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await reply.text()).toContain('service="listener"');
      const other = await fetch(listener.url.replace("/metrics", "/health"));
      expect(other.status).toBe(404);
      expect(await other.json()).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND" });
    } finally {
      await listener.close();
    }
  });
});
