import { captureLogs } from "@clinic/platform/testing";
import { describe, expect, it } from "vitest";
import { buildApp } from "./app.ts";
import { loadGatewayConfig } from "./config.ts";

/**
 * An invite link (`/join/<token>`, the web app's page) opens a consultation without an
 * account: whoever reads it in a log could join. The gateway serves that page: its request
 * lines, at any level, carry the path with the token cut out.
 */
describe("invite links in the request log", () => {
  it("redacts the token of /join/<token> from every line, at trace level too", async () => {
    const logs = captureLogs();
    const config = loadGatewayConfig({
      LOG_LEVEL: "trace",
      WEB_DIST_DIR: "/nonexistent/web/dist",
      MAX_EVENT_LOOP_DELAY_MS: "0",
    });
    const gateway = await buildApp({ config, logStream: logs.stream });
    const token = "Zk3v9QmS1xYtq0pL7cA2bN8dE4fG6hJ5kR3sT1uV0wX";
    try {
      // The browser's navigation, a non-browser fetch (404), and a query string behind it.
      await gateway.inject({ url: `/join/${token}`, headers: { accept: "text/html", "x-request-id": "invite-log-1" } });
      await gateway.inject({ url: `/join/${token}`, headers: { accept: "application/json" } });
      await gateway.inject({ url: `/join/${token}/?utm=${token}`, headers: { accept: "text/html" } });
      const lines = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => l.reqId === "invite-log-1" && l.msg === "request")).toMatchObject({
        path: "/join/[redacted]",
      });
      expect(logs.text()).not.toContain(token);
      expect(logs.text()).not.toContain(token.slice(0, 16));
    } finally {
      await gateway.close();
    }
  });
});
