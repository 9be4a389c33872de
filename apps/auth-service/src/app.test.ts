import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoUsers, type TokenResponse } from "@clinic/contracts";
import { testDatabase } from "@clinic/platform/testing";
import { exportJWK, generateKeyPair, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "./app.ts";
import { loadAuthConfig } from "./config.ts";
import { buildTestApp, login, type TestApp } from "./test-app.ts";

const { doctor, patient } = demoUsers;

describe("auth service app", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ LOG_LEVEL: "trace", LOGIN_RATE_LIMIT_MAX: "2" });
  });
  afterAll(() => t.close());

  it("reports the database in /health", async () => {
    const res = await t.app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "UP", service: "auth-service", checks: { database: "UP" } });
  });

  it("documents its endpoints in OpenAPI and serves Swagger UI", async () => {
    const spec = (await t.app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/logout",
        "/api/auth/me",
        "/api/auth/.well-known/jwks.json",
        "/health",
      ]),
    );
    expect(spec.paths["/api/auth/login"].post.security).toEqual([]);
    expect((await t.app.inject({ method: "GET", url: "/docs" })).statusCode).toBeLessThan(400);
  });

  it("answers unknown routes with the error shape", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/auth/nothing" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: expect.any(String), status: 404, code: "ROUTE_NOT_FOUND" });
  });

  it("writes no password, token, email or name to the logs", async () => {
    const ok = (await login(t.app, doctor.email, doctor.password)).json<TokenResponse>();
    const wrongPassword = "Wr0ng-password-guess";
    expect((await login(t.app, patient.email, wrongPassword)).statusCode).toBe(401);
    expect((await login(t.app, patient.email, wrongPassword)).statusCode).toBe(401);
    expect((await login(t.app, patient.email, patient.password)).statusCode).toBe(429);
    const me = await t.app.inject({
      method: "GET",
      url: "/api/auth/me",
      headers: { authorization: `Bearer ${ok.access_token}`, "x-request-id": "req-hygiene-1" },
    });
    expect(me.statusCode).toBe(200);
    const rotated = (
      await t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: { refresh_token: ok.refresh_token } })
    ).json<TokenResponse>();
    await t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: { refresh_token: ok.refresh_token } });
    await t.app.inject({ method: "POST", url: "/api/auth/logout", payload: { refresh_token: rotated.refresh_token } });
    await t.app.inject({
      method: "GET",
      url: "/api/auth/me",
      headers: { authorization: `Bearer ${ok.access_token.slice(0, -4)}AAAA` },
    });

    const text = t.logs.text();
    // The logs did record these requests (so the checks below look at something).
    expect(t.logs.lines.length).toBeGreaterThan(10);
    expect(text).toContain("req-hygiene-1");
    for (const line of t.logs.lines) expect(() => JSON.parse(line)).not.toThrow();
    const secrets = [
      doctor.password,
      patient.password,
      wrongPassword,
      ok.access_token,
      ok.access_token.split(".")[2] ?? "",
      ok.refresh_token,
      rotated.access_token,
      rotated.refresh_token,
      doctor.email,
      patient.email,
      "@demo.clinic",
      doctor.name,
      patient.name,
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

describe("signing key", () => {
  const jwksOf = async (app: Awaited<ReturnType<typeof buildApp>>) =>
    (await app.inject({ method: "GET", url: "/api/auth/.well-known/jwks.json" })).json<JSONWebKeySet>();

  it("is generated on first start and kept in the database across restarts", async () => {
    // PGlite needs files to survive a restart; PostgreSQL keeps the schema until drop.
    const dir = mkdtempSync(join(tmpdir(), "auth-keys-"));
    const target = testDatabase("auth-keys");
    const options = process.env.DATABASE_URL ? target.options : { service: "auth-keys", dataDir: dir };
    const config = loadAuthConfig({ SEED_DEMO: "0", LOG_LEVEL: "silent" });
    try {
      const first = await buildApp({ config, database: options });
      const before = await jwksOf(first);
      await first.close();
      const second = await buildApp({ config, database: options });
      const after = await jwksOf(second);
      await second.close();
      expect(before.keys).toHaveLength(1);
      expect(after).toEqual(before);
    } finally {
      await target.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("comes from AUTH_SIGNING_KEY when set, and a bad value stops start-up without echoing it", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const jwk = await exportJWK(privateKey);
    const target = testDatabase("auth-envkey");
    try {
      const app = await buildApp({
        config: loadAuthConfig({ SEED_DEMO: "0", LOG_LEVEL: "silent", AUTH_SIGNING_KEY: JSON.stringify(jwk) }),
        database: target.options,
      });
      const jwks = await jwksOf(app);
      await app.close();
      expect(jwks.keys).toEqual([expect.objectContaining({ kty: "OKP", crv: "Ed25519", x: jwk.x, alg: "EdDSA" })]);

      const bad = { ...jwk, crv: "X25519" };
      const failure = buildApp({
        config: loadAuthConfig({ SEED_DEMO: "0", LOG_LEVEL: "silent", AUTH_SIGNING_KEY: JSON.stringify(bad) }),
        database: target.options,
      });
      await expect(failure).rejects.toThrow(/^AUTH_SIGNING_KEY: must be a private Ed25519 JWK/);
      await expect(failure).rejects.not.toThrow(jwk.d ?? "");
    } finally {
      await target.drop();
    }
  });
});
