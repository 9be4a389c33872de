import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compressionThresholdBytes } from "./compression.ts";
import { type App, createService } from "./server.ts";

// A session list's worth of JSON (well above the threshold), and an answer well below it.
const big = { sessions: Array.from({ length: 40 }, (_, i) => ({ session_id: `sess-${i}`, status: "COMPLETED" })) };
const small = { status: "UP" };

describe("JSON answers compressed above the threshold", () => {
  let app: App;
  beforeAll(async () => {
    app = await createService({ name: "compression-test", title: "Compression test", logLevel: "silent" });
    app.get("/big", async () => big);
    app.get("/small", async () => small);
    app.post("/echo", async (request) => request.body);
    await app.ready();
  });
  afterAll(() => app.close());

  it("sends brotli to a client that prefers it, with Vary and the body intact", async () => {
    const res = await app.inject({ url: "/big", headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    expect(res.rawPayload.length).toBeLessThan(JSON.stringify(big).length / 2);
    expect(JSON.parse(brotliDecompressSync(res.rawPayload).toString())).toEqual(big);
  });

  it("sends gzip to a client that accepts only gzip", async () => {
    const res = await app.inject({ url: "/big", headers: { "accept-encoding": "gzip" } });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(res.rawPayload).toString())).toEqual(big);
  });

  it("sends plain JSON to a client that accepts no encoding, or only identity", async () => {
    for (const headers of [{}, { "accept-encoding": "identity" }]) {
      const res = await app.inject({ url: "/big", headers });
      expect(res.headers["content-encoding"]).toBeUndefined();
      expect(res.json()).toEqual(big);
    }
  });

  it("leaves answers under the threshold uncompressed", async () => {
    expect(JSON.stringify(small).length).toBeLessThan(compressionThresholdBytes);
    const res = await app.inject({ url: "/small", headers: { "accept-encoding": "br, gzip" } });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.json()).toEqual(small);
  });

  it("treats error bodies like any other answer: a small one stays plain, in the error shape", async () => {
    const res = await app.inject({ url: "/missing", headers: { "accept-encoding": "br" } });
    expect(res.statusCode).toBe(404);
    // The 404 body is small: it stays plain, in the platform's shape.
    expect(res.json()).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND" });
  });

  it("does not decompress request bodies (a small compressed body could expand past the body limit)", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      payload: gzipSync(JSON.stringify({ note: "x" })),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json()).toMatchObject({ status: res.statusCode });
  });
});
