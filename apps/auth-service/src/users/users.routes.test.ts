import { demoUsers, type TokenResponse } from "@clinic/contracts";
import { createTokenVerifier } from "@clinic/platform";
import { createTestTokens } from "@clinic/platform/testing";
import { base64url, generateKeyPair, type JSONWebKeySet, type JWTPayload, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, login, type TestApp } from "../test-app.ts";

const { doctor } = demoUsers;
const claims = { role: doctor.role, name: doctor.name, email: doctor.email, clinic_id: doctor.clinic_id };

describe("GET /api/auth/me and the tokens behind it", () => {
  let t: TestApp;
  let jwks: JSONWebKeySet;
  let tokens: TokenResponse;
  // The service signs with this key (AUTH_SIGNING_KEY), so the test can forge well-signed tokens with bad claims.
  let signer: Awaited<ReturnType<typeof createTestTokens>>;
  const kid = "test-env-key";

  const me = (authorization?: string) =>
    t.app.inject({ method: "GET", url: "/api/auth/me", headers: authorization ? { authorization } : {} });
  const signed = (overrides: JWTPayload = {}) => signer.sign(doctor, { expiresIn: "10m", ...overrides });

  beforeAll(async () => {
    signer = await createTestTokens({ kid });
    t = await buildTestApp({ AUTH_SIGNING_KEY: signer.signingKey });
    jwks = (await t.app.inject({ method: "GET", url: "/api/auth/.well-known/jwks.json" })).json();
    tokens = (await login(t.app, doctor.email, doctor.password)).json();
  });
  afterAll(() => t.close());

  it("publishes the public key only, with kid, alg and use", () => {
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    expect(key).toEqual({ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid, alg: "EdDSA", use: "sig" });
    expect(key).not.toHaveProperty("d");
  });

  it("issues tokens that verify with the served JWKS and carry the design's claims", async () => {
    const verify = createTokenVerifier({ jwks, issuer: "clinic-auth", audience: "clinic-api" });
    await expect(verify(tokens.access_token)).resolves.toEqual({
      id: doctor.id,
      role: "DOCTOR",
      name: doctor.name,
      email: doctor.email,
      clinic_id: doctor.clinic_id,
    });
    const [header, payload] = tokens.access_token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(new TextDecoder().decode(base64url.decode(part))));
    expect(header).toMatchObject({ alg: "EdDSA", kid });
    expect(payload).toMatchObject({ sub: doctor.id, iss: "clinic-auth", aud: "clinic-api", jti: expect.any(String) });
    expect(payload.exp - payload.iat).toBe(900);
  });

  it("answers the signed-in user", async () => {
    const res = await me(`Bearer ${tokens.access_token}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: doctor.id,
      role: "DOCTOR",
      name: doctor.name,
      email: doctor.email,
      clinic_id: doctor.clinic_id,
    });
  });

  const refused = async (authorization: string | undefined, code: string) => {
    const res = await me(authorization);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: expect.any(String), status: 401, code });
  };

  it("refuses a missing or malformed Authorization header", async () => {
    await refused(undefined, "UNAUTHORIZED");
    await refused(`Basic ${Buffer.from("a:b").toString("base64")}`, "UNAUTHORIZED");
    await refused("Bearer", "UNAUTHORIZED");
    await refused("Bearer not a token", "UNAUTHORIZED");
    await refused("Bearer not-a-jwt", "INVALID_TOKEN");
  });

  it("refuses a tampered signature and a tampered payload", async () => {
    const [h, p, s] = tokens.access_token.split(".") as [string, string, string];
    const mid = Math.floor(s.length / 2);
    const flipped = `${s.slice(0, mid)}${s[mid] === "A" ? "B" : "A"}${s.slice(mid + 1)}`;
    await refused(`Bearer ${h}.${p}.${flipped}`, "INVALID_TOKEN");
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
    const admin = base64url.encode(JSON.stringify({ ...payload, role: "ADMIN" }));
    await refused(`Bearer ${h}.${admin}.${s}`, "INVALID_TOKEN");
  });

  it("refuses alg none", async () => {
    const unsigned = new UnsecuredJWT({ ...claims })
      .setSubject(doctor.id)
      .setIssuer("clinic-auth")
      .setAudience("clinic-api")
      .setIssuedAt()
      .setExpirationTime("10m")
      .encode();
    expect(unsigned.endsWith(".")).toBe(true);
    await refused(`Bearer ${unsigned}`, "INVALID_TOKEN");
  });

  it("refuses HS256 signed with the public key (algorithm confusion)", async () => {
    const [key] = jwks.keys;
    const secrets = [base64url.decode(key?.x ?? ""), new TextEncoder().encode(JSON.stringify(key))];
    for (const secret of secrets) {
      const forged = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: "HS256", kid })
        .setSubject(doctor.id)
        .setIssuer("clinic-auth")
        .setAudience("clinic-api")
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(secret);
      await refused(`Bearer ${forged}`, "INVALID_TOKEN");
    }
  });

  it("refuses a token signed by another key", async () => {
    const other = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .setSubject(doctor.id)
      .setIssuer("clinic-auth")
      .setAudience("clinic-api")
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(other.privateKey);
    await refused(`Bearer ${forged}`, "INVALID_TOKEN");
  });

  it("accepts a well-signed token built the same way (the forgeries below differ only in the claim)", async () => {
    expect((await me(`Bearer ${await signed({})}`)).statusCode).toBe(200);
  });

  it("refuses the wrong audience, the wrong issuer and an expired token", async () => {
    await refused(`Bearer ${await signed({ aud: "other-api" })}`, "INVALID_TOKEN");
    await refused(`Bearer ${await signed({ iss: "someone-else" })}`, "INVALID_TOKEN");
    const past = Math.floor(Date.now() / 1000) - 3600;
    await refused(`Bearer ${await signed({ iat: past, exp: past + 900 })}`, "TOKEN_EXPIRED");
    await refused(`Bearer ${await signed({ role: "SUPERUSER" })}`, "INVALID_TOKEN");
  });

  it("refuses a token of a user that no longer exists", async () => {
    const ghost = await signed({ sub: "usr_deleted" });
    await refused(`Bearer ${ghost}`, "UNKNOWN_USER");
  });
});

describe("access token lifetime", () => {
  let t: TestApp;
  let now = new Date();
  beforeAll(async () => {
    t = await buildTestApp({ ACCESS_TOKEN_TTL_SEC: "300" }, { now: () => now });
  });
  afterAll(() => t.close());

  it("an access token issued more than ACCESS_TOKEN_TTL_SEC ago is refused as expired", async () => {
    now = new Date(Date.now() - 6 * 60_000);
    const old = (await login(t.app, doctor.email, doctor.password)).json<TokenResponse>();
    expect(old.expires_in).toBe(300);
    now = new Date(Date.now() - 4 * 60_000);
    const recent = (await login(t.app, doctor.email, doctor.password)).json<TokenResponse>();
    const ask = (token: string) =>
      t.app.inject({ method: "GET", url: "/api/auth/me", headers: { authorization: `Bearer ${token}` } });
    const expired = await ask(old.access_token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ status: 401, code: "TOKEN_EXPIRED" });
    expect((await ask(recent.access_token)).statusCode).toBe(200);
  });
});
