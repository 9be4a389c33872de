import { createLogger } from "@clinic/platform";
import { captureLogs } from "@clinic/platform/testing";
import { describe, expect, it, vi } from "vitest";
import { stackLogFormat, stackLogStream } from "../src/stack.ts";

/** `npm start` prints lines for a person by default; JSON when LOG_FORMAT=json or in production. */
describe("the stack's log format", () => {
  it("is pretty unless LOG_FORMAT=json or NODE_ENV=production", () => {
    expect(stackLogFormat({})).toBe("pretty");
    expect(stackLogFormat({ LOG_FORMAT: "json" })).toBe("json");
    expect(stackLogFormat({ NODE_ENV: "production" })).toBe("json");
    expect(stackLogFormat({ NODE_ENV: "production", LOG_FORMAT: "pretty" })).toBe("pretty");
  });

  const write = async (env: Record<string, string>) => {
    const logs = captureLogs();
    const stream = stackLogStream(env, logs.stream);
    const logger = createLogger("video-service", "info", stream);
    logger.info({ sessionId: "sess-1", patient_name: "John Doe", notes: "chest pain" }, "session started");
    await vi.waitFor(() => expect(logs.lines.length).toBeGreaterThan(0), { timeout: 5000 });
    return logs;
  };

  it("with LOG_FORMAT unset, writes human-readable lines, still redacted", async () => {
    const logs = await write({});
    const line = logs.lines[0] ?? "";
    expect(() => JSON.parse(line)).toThrow();
    expect(line).toMatch(/INFO/);
    expect(line).toContain("video-service | session started");
    expect(line).toContain("sess-1");
    expect(logs.text()).not.toContain("John Doe");
    expect(logs.text()).not.toContain("chest pain");
  });

  it("with LOG_FORMAT=json, writes one JSON object per line", async () => {
    const logs = await write({ LOG_FORMAT: "json" });
    expect(JSON.parse(logs.lines[0] ?? "")).toMatchObject({
      level: 30,
      service: "video-service",
      msg: "session started",
      sessionId: "sess-1",
      patient_name: "[redacted]",
    });
  });
});
