import { afterEach, describe, expect, it } from "vitest";
import type { EchoBody } from "../testing/echo-upstream.ts";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";

/**
 * What the gateway tells a service about the client: X-Forwarded-For grows by the peer that
 * sent the request, whether or not that peer is trusted (TRUST_PROXY), so a service that
 * trusts the gateway reads the right client. Forwarded headers from an untrusted peer are
 * passed along but not believed here, with one warning.
 */
describe("X-Forwarded-For through the gateway", () => {
  let f: GatewayFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  const forwarded = async (fixture: GatewayFixture, headers: Record<string, string>, remoteAddress?: string) => {
    const res = await fixture.gateway.inject({
      url: "/auth/api/auth/me",
      headers,
      ...(remoteAddress ? { remoteAddress } : {}),
    });
    expect(res.statusCode).toBe(200);
    return res.json<EchoBody>().headers["x-forwarded-for"];
  };

  it("behind a trusted load balancer: the client, then the load balancer", async () => {
    f = await startGateway({ TRUST_PROXY: "10.0.0.5" });
    expect(await forwarded(f, { "x-forwarded-for": "203.0.113.9" }, "10.0.0.5")).toBe("203.0.113.9, 10.0.0.5");
    expect(await forwarded(f, {}, "10.0.0.5")).toBe("10.0.0.5");
  });

  it("without TRUST_PROXY: the forged header is kept as written, the real peer appended, and one warning", async () => {
    f = await startGateway();
    expect(await forwarded(f, { "x-forwarded-for": "203.0.113.9" })).toBe("203.0.113.9, 127.0.0.1");
    expect(await forwarded(f, { "x-forwarded-for": "198.51.100.1" })).toBe("198.51.100.1, 127.0.0.1");
    const warnings = f.logs.lines.map((l) => JSON.parse(l)).filter((e) => e.level === 40 && /TRUST_PROXY/.test(e.msg));
    expect(warnings).toMatchObject([{ service: "gateway", peer: "127.0.0.1" }]);
  });
});
