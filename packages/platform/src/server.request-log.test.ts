import { describe, expect, it } from "vitest";
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
});
