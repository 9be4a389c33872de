import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { demoUsers, type TokenResponse } from "@clinic/contracts";
import { type App, createTokenVerifier, jwksRefetchCooldownMs } from "@clinic/platform";
import { decodeProtectedHeader, type JSONWebKeySet } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildApp } from "../app.ts";
import { loadAuthConfig } from "../config.ts";
import { login } from "../test-app.ts";
import { parseKeyEncryptionKey } from "./key-encryption.ts";
import { activationDelaySeconds, clockSkewSeconds, keyCacheSeconds } from "./key-schedule.ts";
import { keyStore, newEncryptionKey } from "./key-store.testing.ts";
import { rotateSigningKey } from "./signing-key.ts";

const { doctor } = demoUsers;
const ttl = 300;
const kidOf = (token: string) => decodeProtectedHeader(token).kid;

/**
 * One clock for everything: the auth service (its default `now`), the tokens' iat/exp, and
 * the other service's verifier (jose's JWKS cache and refetch cooldown read Date.now). Only
 * Date is faked; timers run for real.
 */
describe("signing key rotation with overlap", { timeout: 120_000 }, () => {
  let store: ReturnType<typeof keyStore>;
  let app: App | undefined;
  let server: Server;
  let jwksUrl: string;
  let fetches = 0;
  const encryptionKey = newEncryptionKey();
  const env = { SEED_DEMO: "1", LOG_LEVEL: "silent", AUTH_KEY_ENCRYPTION_KEY: encryptionKey };
  const start = async () => {
    app = await buildApp({
      config: loadAuthConfig({ ...env, ACCESS_TOKEN_TTL_SEC: String(ttl) }),
      database: store.options,
    });
    return app;
  };
  const advance = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);
  const jwksKids = async () =>
    (await (app as App).inject({ method: "GET", url: "/api/auth/.well-known/jwks.json" }))
      .json<JSONWebKeySet>()
      .keys.map((k) => k.kid);
  const tokenFor = async () =>
    (await login(app as App, doctor.email, doctor.password)).json<TokenResponse>().access_token;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    store = keyStore("auth-rotation");
    // The JWKS URL another service is given; it answers from whichever auth app runs now
    // (PGlite: the app is restarted around a rotation, as only one process may open it).
    server = createServer((_req, res) => {
      fetches += 1;
      void (app as App).inject({ method: "GET", url: "/api/auth/.well-known/jwks.json" }).then((r) => {
        res.setHeader("content-type", "application/json");
        res.end(r.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterEach(async () => {
    vi.useRealTimers();
    await app?.close();
    app = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.drop();
  });

  /** What the admin CLI does, while the service runs (PostgreSQL) or between two runs (PGlite). */
  async function rotate(options: { immediate?: boolean } = {}) {
    const running = store.kind === "postgres";
    if (!running) await app?.close();
    const result = await store.withDatabase((database) =>
      rotateSigningKey(database, {
        encryptionKey: parseKeyEncryptionKey(encryptionKey),
        accessTtlSeconds: ttl,
        now: new Date(),
        immediate: options.immediate ?? false,
      }),
    );
    if (result.kind !== "rotated") throw new Error("rotation refused");
    if (running) {
      // The running service has not looked yet; it does within keyCacheSeconds.
      expect(await jwksKids()).not.toContain(result.created.kid);
      advance(keyCacheSeconds);
    } else {
      await start();
    }
    return result.created.kid;
  }

  it("publishes both keys, signs with the new one once every verifier can know it, then drops the old one", async () => {
    await start();
    const [oldKid] = await jwksKids();
    const before = await tokenFor();
    expect(kidOf(before)).toBe(oldKid);

    // Another service's verifier, as configured in the appointments and video services.
    const verify = createTokenVerifier({ jwksUrl, issuer: "clinic-auth", audience: "clinic-api" });
    await expect(verify(before)).resolves.toMatchObject({ id: doctor.id });
    expect(fetches).toBe(1);

    const newKid = await rotate();
    expect(newKid).not.toBe(oldKid);
    expect(await jwksKids()).toEqual([newKid, oldKid]);
    // Published first, signing later: tokens still carry the old kid until the activation.
    expect(kidOf(await tokenFor())).toBe(oldKid);
    await expect(verify(before)).resolves.toMatchObject({ id: doctor.id });

    advance(activationDelaySeconds);
    const after = await tokenFor();
    expect(kidOf(after)).toBe(newKid);
    // The verifier's cached set lacks the new kid; its cooldown has passed, so it refetches once.
    expect(activationDelaySeconds * 1000).toBeGreaterThan(jwksRefetchCooldownMs);
    await expect(verify(after)).resolves.toMatchObject({ id: doctor.id });
    expect(fetches).toBe(2);
    // Tokens signed before the rotation keep verifying during the overlap, here and elsewhere.
    const lastOld = before;
    await expect(verify(lastOld)).resolves.toMatchObject({ id: doctor.id });
    const meOld = await (app as App).inject({
      method: "GET",
      url: "/api/auth/me",
      headers: { authorization: `Bearer ${lastOld}` },
    });
    expect(meOld.statusCode).toBe(200);

    // Until every token the old key signed has expired (+ margin): still published.
    advance(ttl + clockSkewSeconds - keyCacheSeconds - 1);
    expect(await jwksKids()).toEqual([newKid, oldKid]);
    advance(keyCacheSeconds + 1);
    expect(await jwksKids()).toEqual([newKid]);
    const rows = await (store.kind === "postgres"
      ? store.rows()
      : (async () => {
          await app?.close();
          app = undefined;
          return store.rows();
        })());
    const retired = rows.find((r) => r.kid === oldKid);
    expect(retired?.retired_at).toBeInstanceOf(Date);
    // Nothing can sign with a retired key any more.
    expect(retired).toMatchObject({ private_jwk: null, private_jwk_encrypted: null });
  });

  it("--immediate (a compromised key) signs with the new key and stops publishing the old one at once", async () => {
    await start();
    const [oldKid] = await jwksKids();
    const newKid = await rotate({ immediate: true });
    expect(await jwksKids()).toEqual([newKid]);
    expect(kidOf(await tokenFor())).toBe(newKid);
    expect(oldKid).not.toBe(newKid);
  });
});
