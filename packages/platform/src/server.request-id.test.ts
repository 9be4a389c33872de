import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createService, requestIdPattern } from "./server.ts";
import { captureLogs } from "./testing/index.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A caller's `x-request-id` becomes the request's id (answer header, logs, audit rows) only
 * when it looks like an id; anything else is replaced by one of ours.
 */
describe("request ids", () => {
  const logs = captureLogs();
  let app: App;
  beforeAll(async () => {
    app = await createService({ name: "request-id-test", title: "t", logStream: logs.stream });
    app.get("/id", async (request) => ({ id: request.id }));
    await app.ready();
  });
  afterAll(() => app.close());

  const send = async (id?: string) => {
    const reply = await app.inject({ url: "/id", headers: id === undefined ? {} : { "x-request-id": id } });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers["x-request-id"]).toBe(reply.json().id);
    return reply.json().id as string;
  };

  it("keeps a well-formed caller id", async () => {
    for (const id of ["trace-123", "req:2026-12-01.abc_DEF", "x".repeat(128), crypto.randomUUID()]) {
      expect(await send(id)).toBe(id);
    }
  });

  it("replaces an 8,000-character id, one with spaces or line breaks, and a too-short one", async () => {
    const refused = ["a".repeat(8000), "x".repeat(129), "id with spaces", "line\nbreak-id", "tab\tid-123", "short"];
    for (const id of refused) {
      const given = await send(id);
      expect(given).toMatch(uuid);
      expect(given).not.toBe(id);
    }
    expect(logs.text()).not.toContain("a".repeat(200));
    expect(await send()).toMatch(uuid);
  });

  it("generates ids that pass its own rule (the gateway forwards them)", async () => {
    expect(requestIdPattern.test(await send())).toBe(true);
  });
});
