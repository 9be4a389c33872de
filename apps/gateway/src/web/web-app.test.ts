import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";
import { webAppCsp } from "./web-app.ts";

const html = { accept: "text/html,application/xhtml+xml" };

describe("web app served at /", () => {
  let f: GatewayFixture;
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), "web-dist-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>Clinic</title><div id=root></div>");
    writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log('app')");
    f = await startGateway({ WEB_DIST_DIR: dist });
  });
  afterAll(async () => {
    await f.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("serves index.html at / with the web app's CSP and no caching", async () => {
    const res = await f.gateway.inject({ url: "/", headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("<title>Clinic</title>");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers["content-security-policy"]).toBe(webAppCsp);
  });

  it("has a CSP allowing self, inline styles, camera streams and WebSocket signalling, and no inline scripts", () => {
    const directives = Object.fromEntries(
      webAppCsp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)] as const),
    );
    expect(directives["default-src"]).toEqual(["'self'"]);
    expect(directives["script-src"]).toEqual(["'self'"]);
    expect(directives["style-src"]).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives["media-src"]).toEqual(expect.arrayContaining(["blob:", "mediastream:"]));
    expect(directives["connect-src"]).toEqual(expect.arrayContaining(["'self'", "ws:", "wss:"]));
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
  });

  it("serves hashed assets cached for a year, with helmet's other headers", async () => {
    const res = await f.gateway.inject({ url: "/assets/index-abc123.js" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("console.log('app')");
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("falls back to index.html for client-side routes a browser navigates to", async () => {
    for (const url of ["/sessions", "/patient/appointments/appt-1", "/admin/usage?month=2026-11"]) {
      const res = await f.gateway.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain("<div id=root>");
    }
  });

  it("answers the JSON 404 for a missing file or a non-browser call", async () => {
    for (const [url, headers] of [
      ["/assets/missing.js", html],
      ["/nope", { accept: "application/json" }],
    ] as const) {
      const res = await f.gateway.inject({ url, headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND" });
    }
  });

  it("leaves the upstreams' own responses without the web app's CSP", async () => {
    const res = await f.gateway.inject({ url: "/video/api/video/sessions" });
    expect(res.headers["content-security-policy"]).toBeUndefined();
  });
});

describe("web app not built", () => {
  it("answers / with a note saying how to build it", async () => {
    const f = await startGateway({ WEB_DIST_DIR: join(tmpdir(), "does-not-exist-web-dist") });
    try {
      const page = await f.gateway.inject({ url: "/", headers: html });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("npm run build -w @clinic/web");
      const json = await f.gateway.inject({ url: "/", headers: { accept: "application/json" } });
      expect(json.json()).toMatchObject({ status: "NOT_BUILT" });
    } finally {
      await f.close();
    }
  });
});
