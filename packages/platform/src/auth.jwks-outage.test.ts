import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JSONWebKeySet } from "jose";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AuthUser,
  authPlugin,
  createTokenVerifier,
  type JwksTokenVerifier,
  jwksMaxStaleMs,
  jwksRefreshAfterMs,
  jwksRetryMaxMs,
} from "./auth.ts";
import { type App, createService } from "./server.ts";
import { captureLogs, createTestTokens, metricSample, testPeople } from "./testing/index.ts";

const doctor: AuthUser = testPeople.doctor;
type Tokens = Awaited<ReturnType<typeof createTestTokens>>;

/**
 * The auth service's JWKS endpoint as another service sees it: a real HTTP server that serves
 * `keys`, or, while `down`, drops every connection (the auth service gone). Every request is
 * counted, served or not.
 */
function jwksServer(initial: JSONWebKeySet) {
  const state = { keys: initial, down: false, requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests += 1;
    if (state.down) {
      req.socket.destroy();
      return;
    }
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "public, max-age=60");
    res.end(JSON.stringify(state.keys));
  });
  return {
    state,
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/.well-known/jwks.json`,
    start: () => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (connection refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("JWKS outage beyond the cache (fake clock) keeps verifying", () => {
  let current: Tokens;
  /** The key a rotation brings (a kid the verifiers have not seen). */
  let rotated: Tokens;
  /** Same kid as `current`, another private key: a bad signature. */
  let forger: Tokens;
  let jwks: ReturnType<typeof jwksServer>;
  let app: App;
  let verify: JwksTokenVerifier;
  let clock: number;
  const logs = captureLogs();
  const advance = (ms: number) => {
    clock += ms;
  };
  const whoami = async (token: string) =>
    app.inject({ method: "GET", url: "/whoami", headers: { authorization: `Bearer ${token}` } });
  const logged = (msg: string) => logs.lines.map((l) => JSON.parse(l)).filter((e) => e.msg === msg);
  const refreshFailures = async () =>
    metricSample((await app.inject({ method: "GET", url: "/metrics" })).body, "auth_jwks_refresh_failures_total");

  beforeAll(async () => {
    current = await createTestTokens();
    rotated = await createTestTokens({ kid: "key-2" });
    forger = await createTestTokens();
  });

  beforeEach(async () => {
    logs.lines.length = 0;
    clock = Date.now();
    jwks = jwksServer(current.jwks);
    await jwks.start();
    app = await createService({ name: "jwks-outage-test", title: "t", logLevel: "debug", logStream: logs.stream });
    verify = createTokenVerifier({
      jwksUrl: jwks.url(),
      issuer: current.issuer,
      audience: current.audience,
      now: () => new Date(clock),
      logger: app.log,
      metrics: app.metrics,
    });
    await app.register(authPlugin, { verify });
    app.get("/whoami", { onRequest: app.authenticate }, async (request) => request.user);
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await jwks.stop();
  });

  it("verifies with the keys fetched before, retrying 1 s, 2 s, 4 s … 60 s apart, not once per request", async () => {
    const token = await current.sign(doctor);
    expect((await whoami(token)).json()).toEqual(doctor);
    expect(jwks.state.requests).toBe(1);

    jwks.state.down = true;
    advance(10 * jwksRefreshAfterMs);
    // The first request past the refresh time tries once; it and the ones after it verify.
    for (let i = 0; i < 10; i++) expect((await whoami(token)).statusCode).toBe(200);
    await verify.settled();
    expect(jwks.state.requests).toBe(2);

    // Each retry waits twice as long as the one before (× 0.5–1 jitter), capped at 60 s.
    const delays = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000];
    for (const [i, delay] of delays.entries()) {
      advance(delay / 2 - 1);
      for (let n = 0; n < 5; n++) expect((await whoami(token)).statusCode).toBe(200);
      await verify.settled();
      expect(jwks.state.requests, `no retry before ${delay / 2} ms`).toBe(2 + i);
      advance(delay / 2 + 1);
      for (let n = 0; n < 5; n++) expect((await whoami(token)).statusCode).toBe(200);
      await verify.settled();
      expect(jwks.state.requests, `one retry within ${delay} ms`).toBe(3 + i);
    }
    expect(delays.at(-1)).toBe(jwksRetryMaxMs);
    expect(await refreshFailures()).toBe(1 + delays.length);
    // The outage is logged once (debug lines for the retries), without the token.
    expect(
      logged("auth JWKS cannot be fetched; verifying with the keys fetched before, retrying with backoff"),
    ).toEqual([expect.objectContaining({ level: 40, jwksUrl: jwks.url(), keysFetchedAt: expect.any(String) })]);
    expect(logs.text()).not.toContain(token);

    // The auth service is back, having rotated its key meanwhile: the new kid is fetched at
    // the next retry, the old key's tokens still verify, and the recovery is logged once.
    jwks.state.down = false;
    jwks.state.keys = { keys: [...rotated.jwks.keys, ...current.jwks.keys] };
    advance(jwksRetryMaxMs);
    expect((await whoami(await rotated.sign(doctor))).json()).toEqual(doctor);
    expect((await whoami(token)).json()).toEqual(doctor);
    expect(jwks.state.requests).toBe(3 + delays.length);
    expect(logged("auth JWKS can be fetched again")).toEqual([
      expect.objectContaining({ level: 30, failedFetches: 1 + delays.length }),
    ]);
  });

  it("answers 503 AUTH_UNAVAILABLE with Retry-After to a kid it cannot look up; bad signatures and expiry stay 401", async () => {
    expect((await whoami(await current.sign(doctor))).statusCode).toBe(200);
    jwks.state.down = true;
    advance(10 * jwksRefreshAfterMs);

    const unknownKid = await whoami(await rotated.sign(doctor));
    expect(unknownKid.statusCode).toBe(503);
    expect(unknownKid.json()).toEqual({ error: expect.any(String), status: 503, code: "AUTH_UNAVAILABLE" });
    expect(Number(unknownKid.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // Within the backoff, unknown kids are refused without a fetch each.
    const attempts = jwks.state.requests;
    for (let i = 0; i < 5; i++) expect((await whoami(await rotated.sign(doctor))).statusCode).toBe(503);
    await verify.settled();
    expect(jwks.state.requests).toBe(attempts);

    const badSignature = await whoami(await forger.sign(doctor));
    expect(badSignature.statusCode).toBe(401);
    expect(badSignature.json()).toMatchObject({ code: "INVALID_TOKEN" });
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await whoami(await current.sign(doctor, { iat: past, exp: past + 60 }));
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ code: "TOKEN_EXPIRED" });
    expect((await whoami(await current.sign(doctor))).statusCode).toBe(200);
  });

  it("answers 503 while no key set was ever fetched, and verifies once the JWKS answers", async () => {
    jwks.state.down = true;
    const token = await current.sign(doctor);
    const refused = await whoami(token);
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ code: "AUTH_UNAVAILABLE" });
    expect(
      logged("auth JWKS cannot be fetched and no keys are held; requests are refused with 503 until it can"),
    ).toHaveLength(1);
    jwks.state.down = false;
    // Not before the retry is due …
    expect((await whoami(token)).statusCode).toBe(503);
    expect(jwks.state.requests).toBe(1);
    advance(1_000);
    expect((await whoami(token)).json()).toEqual(doctor);
    expect(jwks.state.requests).toBe(2);
  });

  it("stops trusting the held keys jwksMaxStaleMs (24 h) after their fetch: 503 until a fetch succeeds, then verifies again", async () => {
    const token = await current.sign(doctor);
    expect((await whoami(token)).statusCode).toBe(200);
    // The path to the auth service blocked: a key it removed meanwhile would go on verifying here.
    jwks.state.down = true;
    advance(jwksMaxStaleMs - 1);
    expect((await whoami(token)).statusCode).toBe(200);
    await verify.settled();
    const attempts = jwks.state.requests;

    advance(1);
    const refused = await whoami(token);
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toEqual({ error: expect.any(String), status: 503, code: "AUTH_UNAVAILABLE" });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // Refused within the backoff without a fetch each; logged once, at error, without the token.
    for (let i = 0; i < 5; i++) expect((await whoami(token)).statusCode).toBe(503);
    expect(jwks.state.requests).toBe(attempts);
    advance(7 * 24 * 60 * 60_000); // a week on, still no fetch: still refused
    expect((await whoami(token)).statusCode).toBe(503);
    expect(jwks.state.requests).toBe(attempts + 1);
    expect(
      logged("auth JWKS held keys are too old to trust; requests are refused with 503 until a fetch succeeds"),
    ).toEqual([expect.objectContaining({ level: 50, keysFetchedAt: expect.any(String), maxStaleHours: 24 })]);
    expect(logs.text()).not.toContain(token);

    // Recovery: the first request after the retry is due waits for the fetch and verifies.
    jwks.state.down = false;
    advance(jwksRetryMaxMs);
    expect((await whoami(token)).json()).toEqual(doctor);
    expect(jwks.state.requests).toBe(attempts + 2);
    for (let i = 0; i < 3; i++) expect((await whoami(token)).statusCode).toBe(200);
  });

  it("takes its maximum staleness from jwksMaxStaleMs (JWKS_MAX_STALE_HOURS)", async () => {
    const strict = createTokenVerifier({
      jwksUrl: jwks.url(),
      issuer: current.issuer,
      audience: current.audience,
      now: () => new Date(clock),
      jwksMaxStaleMs: 60 * 60_000,
    });
    const token = await current.sign(doctor);
    expect(await strict(token)).toEqual(doctor);
    jwks.state.down = true;
    advance(60 * 60_000 - 1);
    expect(await strict(token)).toEqual(doctor);
    await strict.settled();
    advance(jwksRetryMaxMs);
    await expect(strict(token)).rejects.toMatchObject({ status: 503, code: "AUTH_UNAVAILABLE" });
    jwks.state.down = false;
    advance(jwksRetryMaxMs);
    expect(await strict(token)).toEqual(doctor);
  });

  it("drops a key a successful refresh no longer lists (keys leave only then)", async () => {
    const oldToken = await current.sign(doctor);
    expect((await whoami(oldToken)).statusCode).toBe(200);
    jwks.state.down = true;
    advance(jwksRefreshAfterMs);
    expect((await whoami(oldToken)).statusCode).toBe(200);
    jwks.state.down = false;
    jwks.state.keys = rotated.jwks;
    advance(jwksRetryMaxMs);
    await whoami(oldToken);
    await verify.settled();
    const after = await whoami(oldToken);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: "INVALID_TOKEN" });
    expect((await whoami(await rotated.sign(doctor))).statusCode).toBe(200);
  });
});

describe("a JWKS URL nothing answers on (connection refused)", () => {
  it("is 503 AUTH_UNAVAILABLE through authPlugin, not 500 and not 401", async () => {
    const tokens = await createTestTokens();
    const app = await createService({ name: "jwks-refused-test", title: "t", logLevel: "silent" });
    try {
      await app.register(authPlugin, {
        verify: createTokenVerifier({
          jwksUrl: `http://127.0.0.1:${await closedPort()}/jwks.json`,
          issuer: tokens.issuer,
          audience: tokens.audience,
        }),
      });
      app.get("/whoami", { onRequest: app.authenticate }, async (request) => request.user);
      const res = await app.inject({
        method: "GET",
        url: "/whoami",
        headers: { authorization: `Bearer ${await tokens.sign(doctor)}` },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 503, code: "AUTH_UNAVAILABLE" });
      expect(res.headers["retry-after"]).toBeDefined();
    } finally {
      await app.close();
    }
  });
});
