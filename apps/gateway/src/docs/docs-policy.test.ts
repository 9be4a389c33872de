import { afterEach, describe, expect, it } from "vitest";
import { docsExposed } from "../config.ts";
import type { EchoBody } from "../testing/echo-upstream.ts";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";

const docsPaths = [
  "/docs",
  "/docs/json",
  "/docs/static/index.html",
  "/video/docs",
  "/video/docs/json",
  "/auth/docs/static/index.html",
  "/appointments/docs/yaml",
  // Spellings a service's router may still read as /docs.
  "/video//docs/json",
  "/video/%64ocs/json",
  "/video/Docs",
];

describe("API docs through the gateway", () => {
  let f: GatewayFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it("are not served in production: 404 like any unknown path, and never forwarded", async () => {
    f = await startGateway({ NODE_ENV: "production" });
    for (const url of docsPaths) {
      const res = await f.gateway.inject({ url, headers: { accept: "text/html" } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND" });
    }
    // The APIs themselves, and a page of the web app, are unaffected.
    const api = await f.gateway.inject({ url: "/video/api/video/sessions" });
    expect(api.json<EchoBody>().url).toBe("/api/video/sessions");
    expect(
      (await f.gateway.inject({ url: "/doctor/docs-and-notes", headers: { accept: "text/html" } })).statusCode,
    ).toBe(200);
  });

  it("are served in production when GATEWAY_EXPOSE_DOCS=1", async () => {
    f = await startGateway({ NODE_ENV: "production", GATEWAY_EXPOSE_DOCS: "1" });
    const own = await f.gateway.inject({ url: "/docs/json" });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toHaveProperty("openapi");
    const service = await f.gateway.inject({ url: "/video/docs/json" });
    expect(service.json<EchoBody>().url).toBe("/docs/json");
  });

  it("are served outside production, unless GATEWAY_EXPOSE_DOCS=0", async () => {
    f = await startGateway();
    expect((await f.gateway.inject({ url: "/docs/json" })).statusCode).toBe(200);
    expect((await f.gateway.inject({ url: "/auth/docs/json" })).json<EchoBody>().url).toBe("/docs/json");
    await f.close();
    f = await startGateway({ GATEWAY_EXPOSE_DOCS: "0" });
    expect((await f.gateway.inject({ url: "/auth/docs/json" })).statusCode).toBe(404);
  });

  it("reads the switch from NODE_ENV and GATEWAY_EXPOSE_DOCS", () => {
    expect(docsExposed({})).toBe(true);
    expect(docsExposed({ NODE_ENV: "production" })).toBe(false);
    expect(docsExposed({ NODE_ENV: "production", GATEWAY_EXPOSE_DOCS: "1" })).toBe(true);
    expect(docsExposed({ NODE_ENV: "development", GATEWAY_EXPOSE_DOCS: "0" })).toBe(false);
  });
});
