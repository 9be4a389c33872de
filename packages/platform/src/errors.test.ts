import { Type } from "typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, conflict, toErrorBody } from "./errors.ts";
import type { App } from "./server.ts";
import { createService } from "./server.ts";
import { captureLogs } from "./testing/index.ts";

describe("error contract", () => {
  let app: App;
  const logs = captureLogs();

  beforeAll(async () => {
    app = await createService({ name: "errors-test", title: "t", bodyLimit: 1024, logStream: logs.stream });
    app.post(
      "/items",
      {
        schema: {
          body: Type.Object(
            { name: Type.String({ minLength: 1 }), size: Type.Integer({ minimum: 1 }) },
            { additionalProperties: false },
          ),
        },
      },
      async () => ({ ok: true }),
    );
    app.get("/boom", async () => {
      throw new Error("connection to db-internal.example:5432 refused for user clinic_admin");
    });
    app.get("/taken", async () => {
      throw conflict("Session already started", "SESSION_ALREADY_STARTED", { session_id: "sess-1" });
    });
    app.get("/slow-down", async () => {
      throw Object.assign(new Error("Rate limit exceeded, retry in 1 minute"), { statusCode: 429 });
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (payload: string, contentType = "application/json") =>
    app.inject({ method: "POST", url: "/items", payload, headers: { "content-type": contentType } });

  it("answers a schema violation with 400 VALIDATION_FAILED and details", async () => {
    const res = await post(JSON.stringify({ name: "lamp", size: 0 }));
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: "VALIDATION_FAILED", error: expect.stringContaining("body") });
    expect(body.details).toEqual([expect.objectContaining({ instancePath: "/size", keyword: "minimum" })]);
  });

  it("refuses an unknown field instead of dropping it", async () => {
    const res = await post(JSON.stringify({ name: "lamp", size: 1, owner: "x" }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      status: 400,
      code: "VALIDATION_FAILED",
      details: [expect.objectContaining({ keyword: "additionalProperties" })],
    });
    expect((await post(JSON.stringify({ name: "lamp", size: 1 }))).statusCode).toBe(200);
  });

  it("answers an unknown route with 404 ROUTE_NOT_FOUND, without the query string", async () => {
    const res = await app.inject({ method: "GET", url: "/nowhere?token=abc" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: "Route GET /nowhere not found", status: 404, code: "ROUTE_NOT_FOUND" });
  });

  it("answers an oversized body with 400 BODY_TOO_LARGE", async () => {
    const res = await post(JSON.stringify({ name: "x".repeat(2000), size: 1 }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: "Request body is too large", status: 400, code: "BODY_TOO_LARGE" });
  });

  it("answers broken JSON and a wrong media type in the same shape", async () => {
    const broken = await post("{not json");
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ status: 400, code: "INVALID_JSON" });
    const text = await post("<name>lamp</name>", "application/xml");
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
  });

  it("answers a thrown non-AppError with a bare 500 and logs it server-side", async () => {
    const res = await app.inject({ method: "GET", url: "/boom", headers: { "x-request-id": "req-boom" } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: "Internal server error", status: 500, code: "INTERNAL" });
    expect(res.body).not.toContain("db-internal");
    expect(res.body).not.toContain("at ");
    expect(res.headers["x-request-id"]).toBe("req-boom");
    const logged = logs.lines.map((l) => JSON.parse(l)).find((l) => l.reqId === "req-boom" && l.level === 50);
    expect(logged?.err?.message).toContain("db-internal");
  });

  it("renders an AppError with its status, code and extra fields", async () => {
    const res = await app.inject({ method: "GET", url: "/taken" });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: "Session already started",
      status: 409,
      code: "SESSION_ALREADY_STARTED",
      session_id: "sess-1",
    });
  });

  it("gives a plain 429 (as @fastify/rate-limit throws it) the RATE_LIMITED code", async () => {
    const res = await app.inject({ method: "GET", url: "/slow-down" });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toEqual({ error: "Rate limit exceeded, retry in 1 minute", status: 429, code: "RATE_LIMITED" });
  });

  it("never lets extra fields override the contract's own", () => {
    const err = new AppError(403, "FORBIDDEN", "No", { status: 200, code: "OK", error: "fine" });
    expect(toErrorBody(err)).toEqual({ error: "No", status: 403, code: "FORBIDDEN" });
  });
});
