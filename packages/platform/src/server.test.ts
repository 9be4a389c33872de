import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type App, createService } from "./server.ts";

/**
 * A request that reaches a closing service on a kept-alive connection (the client reused
 * the socket before the server said goodbye) is answered with the platform's error body and
 * `connection: close`, not Fastify's own 503 body.
 */
describe("createService while shutting down", () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("answers 503 SHUTTING_DOWN with the error shape and closes the connection", async () => {
    const service = await createService({ name: "closing-test", title: "t", logLevel: "silent" });
    app = service;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => undefined;
    const slowArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    service.get("/slow", async () => {
      arrived();
      await released;
      return { ok: true };
    });
    await service.listen({ port: 0, host: "127.0.0.1" });
    const { port } = service.server.address() as { port: number };

    // Two pipelined requests on one socket: the second is read only after the first is
    // answered, which is after close() has begun.
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => {
      received += String(chunk);
    });
    const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
    await slowArrived;
    const closed = service.close();
    socket.write("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error(received)), 5000))]);
    await closed;
    app = undefined;

    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
    const second = responses[1] ?? "";
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    expect(second.toLowerCase()).toContain("connection: close");
    const body = JSON.parse(second.slice(second.indexOf("\r\n\r\n") + 4));
    expect(body).toEqual({ error: "Service is shutting down", status: 503, code: "SHUTTING_DOWN" });
  });

  it("serves normally before close", async () => {
    const service = await createService({ name: "open-test", title: "t", logLevel: "silent" });
    app = service;
    service.get("/ok", async () => ({ ok: true }));
    const reply = await service.inject({ method: "GET", url: "/ok" });
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({ ok: true });
  });

  // Counterexamples found by the fuzzing suite (tests/security/fuzz.test.ts): the router
  // answered these itself, in Fastify's `{error,message,statusCode}` shape.
  it.each([
    ["a malformed percent-escape", "/items/%ED%A0%80", 400, "BAD_URL"],
    ["a path parameter over maxParamLength", `/items/sess-${"f".repeat(300)}`, 414, "URI_TOO_LONG"],
  ])("refuses %s with the platform's error shape", async (_what, url, status, code) => {
    const service = await createService({ name: "router-test", title: "t", logLevel: "silent" });
    app = service;
    service.get("/items/:id", async () => ({ ok: true }));
    const reply = await service.inject({ method: "GET", url });
    expect(reply.statusCode).toBe(status);
    expect(reply.json()).toEqual({ error: expect.any(String), status, code });
    expect(reply.body).not.toContain("ffff");
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
  });
});
