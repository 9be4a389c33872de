import pino from "pino";
import { describe, expect, it } from "vitest";
import { loggerOptions } from "./logger.ts";
import { createService } from "./server.ts";
import { captureLogs } from "./testing/index.ts";

/** One log line per request (server.ts `OneLinePerRequest`), naming the request without its query. */
describe("the request log", () => {
  it("writes one line per request, with method, path, id, status and time, no query string", async () => {
    const logs = captureLogs();
    const app = await createService({ name: "log-test", title: "t", logLevel: "info", logStream: logs.stream });
    try {
      app.get("/things", async () => ({ ok: true }));
      const response = await app.inject({
        url: "/things?token=secret-in-query",
        headers: { "x-request-id": "req-one-line-1" },
      });
      expect(response.statusCode).toBe(200);
      const lines = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.reqId);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        msg: "request completed",
        reqId: "req-one-line-1",
        req: { method: "GET", path: "/things", id: "req-one-line-1" },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      });
      expect(logs.text()).not.toContain("incoming request");
      expect(logs.text()).not.toContain("secret-in-query");
    } finally {
      await app.close();
    }
  });

  // The completed line skips pino's redaction (issue 14, bench/README.md Finding "Nullable fields
  // and request lines"): safe only because it is made of fixed fields no redact path names. It
  // must be the line the redacting logger writes, byte for byte apart from the times, and follow
  // the request logger's level.
  it("is the line the redacting logger would write, without going through its redaction", async () => {
    const logs = captureLogs();
    const logger = pino(loggerOptions("log-test", "info"), logs.stream);
    const app = await createService({ name: "log-test", title: "t", logger });
    try {
      app.get("/things/:id", async () => ({ ok: true }));
      await app.inject({ url: "/things/7?q=1", headers: { "x-request-id": "req-one-line-2" } });
      logger.child({ reqId: "req-one-line-2" }).info(
        // What the request logger is handed (the platform's `req` serializer makes the path).
        {
          req: { method: "GET", url: "/things/7?q=1", id: "req-one-line-2" },
          res: { statusCode: 200 },
          responseTime: 1.5,
        },
        "request completed",
      );
      await new Promise((resolve) => setImmediate(resolve));
      const [written, expected] = logs.lines
        .filter((l) => l.includes("req-one-line-2"))
        .map((l) => l.replace(/"time":\d+/, "").replace(/"responseTime":[\d.e-]+/, ""));
      expect(written).toBeDefined();
      expect(written).toBe(expected);
    } finally {
      await app.close();
    }

    // A logger that would redact the line's own fields shows they are not run through it.
    const redacting = captureLogs();
    const strict = pino({ ...loggerOptions("log-test", "info"), redact: ["req.method"] }, redacting.stream);
    const app2 = await createService({ name: "log-test", title: "t", logger: strict });
    try {
      app2.get("/things", async () => ({ ok: true }));
      await app2.inject({ url: "/things" });
      const line = redacting.lines.map((l) => JSON.parse(l) as { msg: string; req?: unknown }).find((l) => l.req);
      expect(line).toMatchObject({ msg: "request completed", req: { method: "GET", path: "/things" } });
    } finally {
      await app2.close();
    }
  });

  it("follows a route's own log level and the service's level changed at run time", async () => {
    const logs = captureLogs();
    const app = await createService({ name: "log-test", title: "t", logLevel: "info", logStream: logs.stream });
    try {
      app.get("/quiet", { logLevel: "warn" }, async () => ({ ok: true }));
      app.get("/loud", async () => ({ ok: true }));
      await app.inject({ url: "/quiet" });
      app.log.level = "warn";
      await app.inject({ url: "/loud" });
      app.log.level = "info";
      await app.inject({ url: "/loud" });
      const paths = logs.lines
        .map((l) => JSON.parse(l) as { req?: { path: string } })
        .flatMap((l) => (l.req ? [l.req.path] : []));
      expect(paths).toEqual(["/loud"]);
    } finally {
      await app.close();
    }
  });
});
