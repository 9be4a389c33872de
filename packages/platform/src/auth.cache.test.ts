import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as jose from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type AuthUser, createTokenVerifier, jwksRefreshAfterMs } from "./auth.ts";
import { createTestTokens, testAudience, testIssuer, testPeople } from "./testing/index.ts";

// Counts full verifications (signature and claims) while keeping jose's real one.
vi.mock("jose", async (importOriginal) => {
  const actual = await importOriginal<typeof import("jose")>();
  return { ...actual, jwtVerify: vi.fn(actual.jwtVerify) };
});
const verifications = () => vi.mocked(jose.jwtVerify).mock.calls.length;

const doctor: AuthUser = testPeople.doctor;

describe("createTokenVerifier: verified tokens cached for their lifetime", () => {
  let tokens: Awaited<ReturnType<typeof createTestTokens>>;
  beforeAll(async () => {
    tokens = await createTestTokens();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.mocked(jose.jwtVerify).mockClear();
  });

  const verifier = (cacheSize?: number) =>
    createTokenVerifier({
      jwks: tokens.jwks,
      issuer: tokens.issuer,
      audience: tokens.audience,
      ...(cacheSize !== undefined ? { cacheSize } : {}),
    });

  it("does not verify the same token again", async () => {
    const verify = verifier();
    const token = await tokens.sign(doctor);
    await expect(verify(token)).resolves.toEqual(doctor);
    await expect(verify(token)).resolves.toEqual(doctor);
    await expect(verify(token)).resolves.toEqual(doctor);
    expect(verifications()).toBe(1);
    // Another token is verified in full, and each caller gets its own copy of the user.
    const other = await tokens.sign(testPeople.patient);
    (await verify(other)).name = "changed by one request";
    (await verify(other)).name = "changed by another";
    await expect(verify(other)).resolves.toEqual(testPeople.patient);
    expect(verifications()).toBe(2);
  });

  it("refuses an expired token even when it is cached", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const verify = verifier();
    const token = await tokens.sign(doctor, { expiresIn: "60s" });
    await expect(verify(token)).resolves.toEqual(doctor);
    vi.setSystemTime(Date.now() + 61_000);
    await expect(verify(token)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  it("never caches a refusal: a forged signature on a cached token's claims is refused", async () => {
    const verify = verifier();
    const token = await tokens.sign(doctor);
    await verify(token);
    const [header, payload] = token.split(".");
    const forged = `${header}.${payload}.${"A".repeat(86)}`;
    await expect(verify(forged)).rejects.toMatchObject({ code: "INVALID_TOKEN" });
    await expect(verify(forged)).rejects.toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("keeps at most cacheSize tokens (least recently used goes first); 0 verifies every time", async () => {
    const verify = verifier(2);
    const [a, b, c] = await Promise.all([doctor, testPeople.patient, testPeople.admin].map((u) => tokens.sign(u)));
    for (const t of [a, b, a, c, a, b] as string[]) await verify(t);
    // a, b, c verified once each; then a kept (recently used), b evicted by c and verified again.
    expect(verifications()).toBe(4);
    const uncached = verifier(0);
    await uncached(a as string);
    await uncached(a as string);
    expect(verifications()).toBe(6);
  });

  it("a key removed from the JWKS stops a cached token at the next fetch, as without the cache", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    let set: jose.JSONWebKeySet = tokens.jwks;
    const server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(set));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const verify = createTokenVerifier({
        jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
        issuer: testIssuer,
        audience: testAudience,
      });
      const token = await tokens.sign(doctor);
      await expect(verify(token)).resolves.toEqual(doctor);
      // The key is retired (compromised): the auth service publishes a set without it.
      const other = await createTestTokens({ kid: "another-key" });
      set = other.jwks;
      await expect(verify(token)).resolves.toEqual(doctor); // held keys until the refresh, as before
      vi.setSystemTime(Date.now() + jwksRefreshAfterMs + 1);
      await expect(verify(token)).rejects.toMatchObject({ code: "INVALID_TOKEN" });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
