import helmet from "helmet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { badRequest } from "./errors.ts";
import { type App, createService, securityHeaders } from "./server.ts";

/** What helmet itself sets per response with the platform's options (no CSP), run the way @fastify/helmet did. */
function helmetPerResponse(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: () => undefined,
  };
  helmet({ contentSecurityPolicy: false })({} as never, response as never, () => undefined);
  return headers;
}

/**
 * helmet's headers are read once at start-up instead of running its middlewares per request
 * (issue 14): every answer must still carry exactly what helmet sets — a route's 200, a 404,
 * an error, and a route that sets one of them itself keeps its own value.
 */
describe("security headers", () => {
  let app: App;
  beforeAll(async () => {
    app = await createService({ name: "headers-test", title: "t", logLevel: "silent" });
    app.get("/ok", async () => ({ ok: true }));
    app.get("/bad", async () => {
      throw badRequest("no");
    });
    app.get("/framed", async (_request, reply) => reply.header("x-frame-options", "DENY").send({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  it("are helmet's own, computed once", () => {
    expect(securityHeaders).toEqual(helmetPerResponse());
    expect(Object.keys(securityHeaders).length).toBeGreaterThanOrEqual(10);
  });

  it.each(["/ok", "/missing", "/bad", "/docs/json"])("are on %s", async (url) => {
    const res = await app.inject({ url });
    for (const [name, value] of Object.entries(helmetPerResponse())) expect(res.headers[name], name).toBe(value);
    expect(res.headers["content-security-policy"]).toBeUndefined();
  });

  it("can still be overridden by a route", async () => {
    const res = await app.inject({ url: "/framed" });
    expect(res.headers["x-frame-options"]).toBe("DENY");
  });
});
