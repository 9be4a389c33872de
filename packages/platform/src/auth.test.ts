import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type AuthUser, authPlugin, createTokenVerifier, jwksRefetchCooldownMs, requireRole } from "./auth.ts";
import { type App, createService } from "./server.ts";
import { createTestTokens, testAudience, testIssuer, testPeople } from "./testing/index.ts";

const doctor: AuthUser = testPeople.doctor;
const patient: AuthUser = testPeople.patient;

describe("authPlugin and requireRole", () => {
  let app: App;
  let tokens: Awaited<ReturnType<typeof createTestTokens>>;

  beforeAll(async () => {
    tokens = await createTestTokens();
    app = await createService({ name: "auth-test", title: "t", logLevel: "silent" });
    await app.register(authPlugin, {
      verify: createTokenVerifier({ jwks: tokens.jwks, issuer: tokens.issuer, audience: tokens.audience }),
    });
    app.get("/public", async () => ({ ok: true }));
    app.get("/whoami", { onRequest: app.authenticate }, async (request) => request.user);
    app.get(
      "/doctors-only",
      { onRequest: app.authenticate, preHandler: requireRole("DOCTOR", "ADMIN") },
      async (request) => ({ id: request.user.id }),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const get = (url: string, authorization?: string) =>
    app.inject({ method: "GET", url, headers: authorization ? { authorization } : {} });

  it("sets request.user from a valid bearer token", async () => {
    const res = await get("/whoami", `Bearer ${await tokens.sign(doctor)}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(doctor);
  });

  it("leaves routes without the hook public", async () => {
    expect((await get("/public")).statusCode).toBe(200);
  });

  it.each([
    ["missing", undefined],
    ["another scheme", "Basic dXNlcjpwYXNz"],
    ["an empty bearer", "Bearer "],
    ["the scheme alone", "Bearer"],
    ["a token with spaces", "Bearer a b c"],
    ["lowercase scheme and extra words", "bearer abc def"],
  ])("answers 401 UNAUTHORIZED when the Authorization header is %s", async (_name, header) => {
    const res = await get("/whoami", header);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: expect.any(String), status: 401, code: "UNAUTHORIZED" });
  });

  it("answers 403 FORBIDDEN to a valid token without the role", async () => {
    const res = await get("/doctors-only", `Bearer ${await tokens.sign(patient)}`);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: "This action requires the role DOCTOR or ADMIN",
      status: 403,
      code: "FORBIDDEN",
    });
    const allowed = await get("/doctors-only", `Bearer ${await tokens.sign(doctor)}`);
    expect(allowed.statusCode).toBe(200);
  });

  it("runs authentication before the role check: no token on a guarded route is 401, not 403", async () => {
    expect((await get("/doctors-only")).statusCode).toBe(401);
  });
});

describe("createTokenVerifier", () => {
  let tokens: Awaited<ReturnType<typeof createTestTokens>>;
  let verify: ReturnType<typeof createTokenVerifier>;
  beforeAll(async () => {
    tokens = await createTestTokens();
    verify = createTokenVerifier({ jwks: tokens.jwks, issuer: tokens.issuer, audience: tokens.audience });
  });

  const rejectsWith = (token: Promise<string> | string, code: string) =>
    expect(Promise.resolve(token).then(verify)).rejects.toMatchObject({ status: 401, code });

  it("refuses wrong audience, wrong issuer and expiry", async () => {
    await rejectsWith(tokens.sign(doctor, { aud: "someone-else" }), "INVALID_TOKEN");
    await rejectsWith(tokens.sign(doctor, { iss: "evil" }), "INVALID_TOKEN");
    const past = Math.floor(Date.now() / 1000) - 3600;
    await rejectsWith(tokens.sign(doctor, { iat: past, exp: past + 60 }), "TOKEN_EXPIRED");
  });

  it("refuses tokens whose claims do not describe one of our users", async () => {
    await rejectsWith(tokens.sign({ ...doctor, role: "ROOT" as AuthUser["role"] }), "INVALID_TOKEN");
    await rejectsWith(tokens.sign(doctor, { clinic_id: 42 }), "INVALID_TOKEN");
  });

  it("refuses HS256 even when the secret is the published key", async () => {
    const secret = new TextEncoder().encode(JSON.stringify(tokens.jwks.keys[0]));
    const forged = await new SignJWT({ role: "ADMIN", clinic_id: doctor.clinic_id })
      .setProtectedHeader({ alg: "HS256", kid: "test-key" })
      .setSubject("x")
      .setIssuer(tokens.issuer)
      .setAudience(tokens.audience)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(secret);
    await rejectsWith(forged, "INVALID_TOKEN");
  });

  describe("with a JWKS URL", () => {
    let server: Server;
    let fetches = 0;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        fetches += 1;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(tokens.jwks));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("fetches the key set once and caches it", async () => {
      const { port } = server.address() as AddressInfo;
      const remote = createTokenVerifier({
        jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        issuer: tokens.issuer,
        audience: tokens.audience,
      });
      await expect(remote(await tokens.sign(doctor))).resolves.toEqual(doctor);
      await expect(remote(await tokens.sign(patient))).resolves.toEqual(patient);
      expect(fetches).toBe(1);
    });
  });
});

describe("createTokenVerifier across a key rotation", () => {
  let oldKeys: Awaited<ReturnType<typeof createTestTokens>>;
  /** A second key, as a rotation makes it: its own kid. */
  let newKey: { jwks: JSONWebKeySet; sign: (user: AuthUser) => Promise<string> };
  let published: JSONWebKeySet;
  beforeAll(async () => {
    oldKeys = await createTestTokens();
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    newKey = {
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: "key-2", alg: "EdDSA", use: "sig" }] },
      sign: (user) =>
        new SignJWT({ role: user.role, name: user.name, email: user.email, clinic_id: user.clinic_id })
          .setProtectedHeader({ alg: "EdDSA", kid: "key-2" })
          .setSubject(user.id)
          .setIssuer(testIssuer)
          .setAudience(testAudience)
          .setIssuedAt()
          .setExpirationTime("15m")
          .sign(privateKey),
    };
    published = oldKeys.jwks;
  });
  afterEach(() => vi.useRealTimers());
  const both = () => ({ keys: [...newKey.jwks.keys, ...oldKeys.jwks.keys] });

  it("with a key-set function, verifies with whatever set it returns now", async () => {
    const verify = createTokenVerifier({ jwks: async () => published, issuer: testIssuer, audience: testAudience });
    await expect(verify(await oldKeys.sign(doctor))).resolves.toEqual(doctor);
    await expect(verify(await newKey.sign(doctor))).rejects.toMatchObject({ code: "INVALID_TOKEN" });
    published = both();
    await expect(verify(await newKey.sign(doctor))).resolves.toEqual(doctor);
    await expect(verify(await oldKeys.sign(doctor))).resolves.toEqual(doctor);
  });

  it("from a JWKS URL, refetches on an unknown kid, at most once per cooldown", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    let fetches = 0;
    let set = oldKeys.jwks;
    const server = createServer((_req, res) => {
      fetches += 1;
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
      const before = await oldKeys.sign(doctor);
      await expect(verify(before)).resolves.toEqual(doctor);
      expect(fetches).toBe(1);
      // Rotated: the set now has both keys, the verifier's cached copy only the old one.
      set = both();
      const after = await newKey.sign(doctor);
      // Within the cooldown an unknown kid is refused without a fetch (the auth service
      // publishes a new key longer than this before signing with it) …
      await expect(verify(after)).rejects.toMatchObject({ code: "INVALID_TOKEN" });
      expect(fetches).toBe(1);
      // … after it, one fetch brings the new key, and the old key's tokens still verify.
      vi.setSystemTime(Date.now() + jwksRefetchCooldownMs + 1);
      await expect(verify(after)).resolves.toEqual(doctor);
      await expect(verify(before)).resolves.toEqual(doctor);
      expect(fetches).toBe(2);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
