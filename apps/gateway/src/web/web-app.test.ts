import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";
import { webAppCsp } from "./web-app.ts";

const html = { accept: "text/html,application/xhtml+xml" };
const indexHtml = "<!doctype html><title>Clinic</title><div id=root></div>";
const appJs = `export const screens = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `screen-${i}`))};`;

describe("web app served at /", () => {
  let f: GatewayFixture;
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), "web-dist-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), indexHtml);
    writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log('app')");
    // As the build writes them (apps/web/build/precompress.ts): a copy per encoding beside each file.
    writeFileSync(join(dist, "index.html.br"), brotliCompressSync(indexHtml));
    writeFileSync(join(dist, "index.html.gz"), gzipSync(indexHtml));
    writeFileSync(join(dist, "assets", "app-def456.js"), appJs);
    writeFileSync(join(dist, "assets", "app-def456.js.br"), brotliCompressSync(appJs));
    writeFileSync(join(dist, "assets", "app-def456.js.gz"), gzipSync(appJs));
    // A source map left in the served directory (the build writes none: apps/web/vite.config.ts).
    const map = JSON.stringify({ version: 3, sources: ["../src/app.tsx"], sourcesContent: ["secret source"] });
    writeFileSync(join(dist, "assets", "app-def456.js.map"), map);
    writeFileSync(join(dist, "assets", "app-def456.js.map.br"), brotliCompressSync(map));
    writeFileSync(join(dist, "assets", "app-def456.js.map.gz"), gzipSync(map));
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
    expect(res.headers["content-security-policy"]).toBe(webAppCsp("embedded"));
  });

  it("has a CSP allowing self, inline styles, camera streams and WebSocket signalling, and no inline scripts", async () => {
    const res = await f.gateway.inject({ url: "/", headers: html });
    const directives = Object.fromEntries(
      String(res.headers["content-security-policy"])
        .split("; ")
        .map((d) => [d.split(" ")[0], d.split(" ").slice(1)] as const),
    );
    expect(directives["default-src"]).toEqual(["'self'"]);
    expect(directives["script-src"]).toEqual(["'self'"]);
    expect(directives["style-src"]).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives["media-src"]).toEqual(expect.arrayContaining(["blob:", "mediastream:"]));
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
  });

  it("lets the page connect (WebSockets included) to this origin only, never to any other host", async () => {
    const res = await f.gateway.inject({ url: "/patient/appointments/appt-1", headers: html });
    const connectSrc = /(?:^|; )connect-src ([^;]*)/.exec(String(res.headers["content-security-policy"]))?.[1];
    // 'self' covers ws:/wss: to this origin (CSP Level 3); a bare scheme would allow every host.
    expect(connectSrc?.split(" ")).toEqual(["'self'"]);
  });

  it("adds Amazon Chime's endpoints to connect-src only when the calls run on Chime", async () => {
    const chime = await startGateway({ WEB_DIST_DIR: dist, MEDIA_PROVIDER: "chime" });
    try {
      const res = await chime.gateway.inject({ url: "/", headers: html });
      const connectSrc = /(?:^|; )connect-src ([^;]*)/.exec(String(res.headers["content-security-policy"]))?.[1];
      expect(connectSrc?.split(" ")).toEqual(["'self'", "https://*.chime.aws", "wss://*.chime.aws"]);
    } finally {
      await chime.close();
    }
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

  it("sends the precompressed copy the browser prefers, with Vary, the JS type and the same caching", async () => {
    for (const [acceptEncoding, encoding, decode] of [
      ["gzip, deflate, br", "br", brotliDecompressSync],
      ["gzip", "gzip", gunzipSync],
    ] as const) {
      const res = await f.gateway.inject({
        url: "/assets/app-def456.js",
        headers: { "accept-encoding": acceptEncoding },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-encoding"]).toBe(encoding);
      expect(res.headers["content-type"]).toMatch(/javascript/);
      expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
      expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(decode(res.rawPayload).toString()).toBe(appJs);
    }
  });

  it("sends the file as it is to a client that accepts no encoding", async () => {
    const res = await f.gateway.inject({ url: "/assets/app-def456.js" });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body).toBe(appJs);
  });

  it("negotiates index.html too, at / and on a client-side route, still never cached", async () => {
    for (const url of ["/", "/doctor/appointments"]) {
      const br = await f.gateway.inject({ url, headers: { ...html, "accept-encoding": "br, gzip" } });
      expect(br.headers["content-encoding"], url).toBe("br");
      expect(br.headers["cache-control"]).toBe("no-cache");
      expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
      expect(brotliDecompressSync(br.rawPayload).toString()).toBe(indexHtml);
      const gz = await f.gateway.inject({ url, headers: { ...html, "accept-encoding": "gzip" } });
      expect(gunzipSync(gz.rawPayload).toString()).toBe(indexHtml);
      const plain = await f.gateway.inject({ url, headers: html });
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.body).toBe(indexHtml);
    }
  });

  it("never serves a source map, even one present in the served directory", async () => {
    for (const [url, headers] of [
      ["/assets/app-def456.js.map", {}],
      ["/assets/app-def456.js.map", { ...html, "accept-encoding": "br, gzip" }],
      ["/assets/app-def456.js.map.br", {}],
      ["/assets/app-def456.js.map.gz", {}],
      ["/assets/APP-DEF456.JS.MAP", {}],
    ] as const) {
      const res = await f.gateway.inject({ url, headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND" });
      expect(res.body).not.toContain("secret source");
    }
    // The script itself is still served, and names no map.
    const js = await f.gateway.inject({ url: "/assets/app-def456.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers.sourcemap).toBeUndefined();
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
