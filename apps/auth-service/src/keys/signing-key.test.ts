import { demoUsers, type TokenResponse } from "@clinic/contracts";
import { type App, ConfigError } from "@clinic/platform";
import { captureLogs } from "@clinic/platform/testing";
import type { JSONWebKeySet } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../app.ts";
import { loadAuthConfig } from "../config.ts";
import { login } from "../test-app.ts";
import { decryptPrivateJwk, parseKeyEncryptionKey } from "./key-encryption.ts";
import { keyStore, newEncryptionKey } from "./key-store.testing.ts";
import { rotateSigningKey } from "./signing-key.ts";

const { doctor } = demoUsers;

const jwksOf = async (app: App) =>
  (await app.inject({ method: "GET", url: "/api/auth/.well-known/jwks.json" })).json<JSONWebKeySet>();
const me = (app: App, token: string) =>
  app.inject({ method: "GET", url: "/api/auth/me", headers: { authorization: `Bearer ${token}` } });

// Each test starts the service two or three times on a database kept on disk.
describe("signing key at rest", { timeout: 120_000 }, () => {
  let store: ReturnType<typeof keyStore>;
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await store?.drop();
  });

  const start = async (env: Record<string, string>) => {
    const logs = captureLogs();
    app = await buildApp({
      config: loadAuthConfig({ SEED_DEMO: "1", LOG_LEVEL: "info", ...env }),
      database: store.options,
      logStream: logs.stream,
    });
    return { app, logs };
  };
  const stop = async () => {
    await app?.close();
    app = undefined;
  };

  it("is stored encrypted (no readable private member), and decrypts after a restart with the same key", async () => {
    store = keyStore("auth-key-enc");
    const encryptionKey = newEncryptionKey();
    const first = await start({ AUTH_KEY_ENCRYPTION_KEY: encryptionKey });
    const before = await jwksOf(first.app);
    const token = (await login(first.app, doctor.email, doctor.password)).json<TokenResponse>().access_token;
    await stop();

    const [row, ...others] = await store.rows();
    expect(others).toEqual([]);
    expect(row?.private_jwk).toBeNull();
    expect(row?.private_jwk_encrypted).toEqual(expect.any(String));
    expect(row?.private_jwk_encrypted).not.toMatch(/"d"|"kty"|Ed25519/);
    // What the column holds is the private key, bound to its kid.
    const jwk = await decryptPrivateJwk(
      row?.private_jwk_encrypted ?? "",
      row?.kid ?? "",
      parseKeyEncryptionKey(encryptionKey) as Uint8Array,
    );
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", d: expect.any(String), kid: row?.kid });
    expect(row?.private_jwk_encrypted).not.toContain(jwk.d);

    const second = await start({ AUTH_KEY_ENCRYPTION_KEY: encryptionKey });
    expect(await jwksOf(second.app)).toEqual(before);
    // Tokens issued before the restart still verify, and new ones carry the same kid.
    expect((await me(second.app, token)).statusCode).toBe(200);
    const again = (await login(second.app, doctor.email, doctor.password)).json<TokenResponse>().access_token;
    expect(JSON.parse(Buffer.from(again.split(".")[0] ?? "", "base64url").toString()).kid).toBe(row?.kid);
    expect(second.logs.text()).not.toContain(encryptionKey);
  });

  it("refuses to start with a different key, and makes no new key in its place", async () => {
    store = keyStore("auth-key-wrong");
    await start({ AUTH_KEY_ENCRYPTION_KEY: newEncryptionKey() });
    await stop();
    const wrong = newEncryptionKey();
    const failure = start({ AUTH_KEY_ENCRYPTION_KEY: wrong });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/AUTH_KEY_ENCRYPTION_KEY: does not decrypt the stored signing key/);
    await expect(failure).rejects.not.toThrow(wrong);
    // Without any key the encrypted rows are refused too.
    await expect(start({})).rejects.toThrow(/AUTH_KEY_ENCRYPTION_KEY: is not set, but the stored signing keys/);
    expect(await store.rows()).toHaveLength(1);
  });

  it("a new AUTH_KEY_ENCRYPTION_KEY takes over through an immediate rotation, which retires the old keys", async () => {
    store = keyStore("auth-key-change");
    const oldKey = newEncryptionKey();
    const [oldKid] = (await jwksOf((await start({ AUTH_KEY_ENCRYPTION_KEY: oldKey })).app)).keys.map((k) => k.kid);
    await stop();
    const newKey = newEncryptionKey();
    const result = await store.withDatabase((database) =>
      rotateSigningKey(database, {
        encryptionKey: parseKeyEncryptionKey(newKey),
        accessTtlSeconds: 900,
        now: new Date(),
        immediate: true,
      }),
    );
    expect(result).toMatchObject({ kind: "rotated", retired: [oldKid] });
    const after = await start({ AUTH_KEY_ENCRYPTION_KEY: newKey });
    const kids = (await jwksOf(after.app)).keys.map((k) => k.kid);
    expect(kids).toHaveLength(1);
    expect(kids).not.toContain(oldKid);
    expect((await login(after.app, doctor.email, doctor.password)).statusCode).toBe(200);
  });

  it("a key kept in plain text (before the variable was set) is encrypted in place on the next start", async () => {
    store = keyStore("auth-key-migrate");
    const plain = await start({});
    expect(plain.logs.lines.filter((l) => l.includes("signing keys are stored unencrypted"))).toHaveLength(1);
    const before = await jwksOf(plain.app);
    const token = (await login(plain.app, doctor.email, doctor.password)).json<TokenResponse>().access_token;
    await stop();
    const [old] = await store.rows();
    const d = (old?.private_jwk as { d?: string } | null)?.d;
    expect(d).toEqual(expect.any(String));

    const encryptionKey = newEncryptionKey();
    const migrated = await start({ AUTH_KEY_ENCRYPTION_KEY: encryptionKey });
    // Same key: published as before, earlier tokens still verify.
    expect(await jwksOf(migrated.app)).toEqual(before);
    expect((await me(migrated.app, token)).statusCode).toBe(200);
    const logged = migrated.logs.lines.filter((l) => l.includes("now encrypted with AUTH_KEY_ENCRYPTION_KEY"));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] ?? "{}")).toMatchObject({ kid: old?.kid });
    expect(migrated.logs.text()).not.toContain(d);
    expect(migrated.logs.lines.some((l) => l.includes("stored unencrypted"))).toBe(false);
    await stop();

    const [row] = await store.rows();
    expect(row).toMatchObject({ kid: old?.kid, private_jwk: null, private_jwk_encrypted: expect.any(String) });
    expect(row?.private_jwk_encrypted).not.toContain(d);
  });
});
