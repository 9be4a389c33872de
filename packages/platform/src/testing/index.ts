import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import amqp from "amqplib";
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWTPayload, SignJWT } from "jose";
import pg from "pg";
import type { AuthUser } from "../auth.ts";
import type { DatabaseOptions } from "../db.ts";

export { type LockHeldSteps, untilBlockedBy, whileLockHeld } from "./locks.ts";
export { type TestPerson, testPeople } from "./people.ts";
export { deleteRedisKeys, scanKeys } from "./redis-keys.ts";
export { startTcpProxy, viaProxy } from "./tcp-proxy.ts";

/**
 * Database options for one test app: a fresh schema on the shared PostgreSQL when
 * DATABASE_URL is set (dropped by `drop`), otherwise an in-memory PGlite.
 */
export function testDatabase(service: string): { options: DatabaseOptions; drop: () => Promise<void> } {
  const url = process.env.DATABASE_URL;
  if (!url) return { options: { service, dataDir: ":memory:" }, drop: async () => undefined };
  const schema = `t_${service.replace(/\W/g, "_")}_${randomBytes(5).toString("hex")}`;
  return {
    options: { service, url, schema, poolSize: 5 },
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export const testIssuer = "clinic-auth";
export const testAudience = "clinic-api";

/**
 * The one signer of test access tokens, with the auth service's claims: a key of our own, its
 * JWKS for services that only verify tokens, and the private JWK (`signingKey`) to hand the auth
 * service as AUTH_SIGNING_KEY so that every service verifies through its real JWKS.
 */
export async function createTestTokens({ kid = "test-key" }: { kid?: string } = {}) {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  const jwks: JSONWebKeySet = { keys: [jwk] };
  const signingKey = JSON.stringify({ ...(await exportJWK(privateKey)), kid });
  const sign = (user: AuthUser, overrides: JWTPayload & { expiresIn?: string } = {}) => {
    // Registered claims go through the builder's setters, which would otherwise overwrite
    // an override such as a wrong `aud` or a past `exp` given in the payload.
    const { expiresIn, sub, iss, aud, iat, exp, jti, ...claims } = overrides;
    return new SignJWT({ role: user.role, name: user.name, email: user.email, clinic_id: user.clinic_id, ...claims })
      .setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT" })
      .setSubject(sub ?? user.id)
      .setIssuer(iss ?? testIssuer)
      .setAudience(aud ?? testAudience)
      .setIssuedAt(iat)
      .setJti(jti ?? randomBytes(8).toString("hex"))
      .setExpirationTime(exp ?? expiresIn ?? "15m")
      .sign(privateKey);
  };
  return { jwks, sign, privateKey, signingKey, issuer: testIssuer, audience: testAudience };
}

/**
 * Polls `probe` until it returns something other than undefined or false, `intervalMs` apart and
 * at most `timeoutMs`: a probe that throws is tried again, and its last error is in the timeout's
 * message. (An assertion that must come true is `vi.waitFor` inside a Vitest test.)
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let attempt = 0; attempt < 1_000_000; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** A pino destination that keeps every line, for log-hygiene assertions. */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { stream, lines, text: () => lines.join("\n") };
}

/** Deletes what a test run declared on a shared broker: its exchange, its DLX and its queues (+ DLQs). */
export async function deleteBrokerObjects(url: string, exchange: string, queues: string[]): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) {
      await channel.deleteQueue(queue);
      await channel.deleteQueue(`${queue}.dlq`);
    }
    await channel.deleteExchange(exchange);
    await channel.deleteExchange(`${exchange}.dlx`);
  } finally {
    await connection.close();
  }
}

/**
 * The value of the first series `name{…}` in a Prometheus text exposition whose labels include
 * `labels` (any order); undefined when there is none.
 */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}
