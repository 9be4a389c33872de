import type { AddressInfo } from "node:net";
import { brotliDecompressSync } from "node:zlib";
import { type App, createService } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";

const list = { sessions: Array.from({ length: 50 }, (_, i) => ({ session_id: `sess-${i}`, status: "COMPLETED" })) };

/**
 * The services compress their own JSON (platform); the gateway passes the compressed body and
 * its headers through untouched, and compresses nothing itself.
 */
describe("compressed service answers through the gateway", () => {
  let service: App;
  let f: GatewayFixture;
  beforeAll(async () => {
    service = await createService({ name: "video-stand-in", title: "Video stand-in", logLevel: "silent" });
    service.get("/api/video/sessions", async () => list);
    service.get("/api/video/ping", async () => ({ ok: true }));
    await service.listen({ port: 0, host: "127.0.0.1" });
    const { port } = service.server.address() as AddressInfo;
    f = await startGateway({ VIDEO_URL: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await f.close();
    await service.close();
  });

  it("passes the service's brotli body and its Vary through", async () => {
    const res = await f.gateway.inject({
      url: "/video/api/video/sessions",
      headers: { accept: "application/json", "accept-encoding": "gzip, deflate, br" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    expect(JSON.parse(brotliDecompressSync(res.rawPayload).toString())).toEqual(list);
  });

  it("sends plain JSON when the client accepts no encoding", async () => {
    const res = await f.gateway.inject({ url: "/video/api/video/sessions", headers: { accept: "application/json" } });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.json()).toEqual(list);
  });

  it("does not compress a small answer the service left plain", async () => {
    const res = await f.gateway.inject({
      url: "/video/api/video/ping",
      headers: { accept: "application/json", "accept-encoding": "br" },
    });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.json()).toEqual({ ok: true });
  });
});
