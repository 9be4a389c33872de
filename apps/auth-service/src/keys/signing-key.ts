import { ConfigError, withTransaction } from "@clinic/platform";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from "jose";
import type { Kysely, Transaction } from "kysely";
import type { Logger } from "pino";
import type { AuthDatabase, AuthTables } from "../database.ts";
import { decryptPrivateJwk, encryptPrivateJwk } from "./key-encryption.ts";
import {
  activationDelaySeconds,
  type KeyStatus,
  keyCacheSeconds,
  keySchedule,
  overlapSeconds,
} from "./key-schedule.ts";
import {
  insertSigningKey,
  listLiveKeys,
  lockSigningKeys,
  retireKeys,
  type StoredKey,
  storeEncrypted,
} from "./keys.repository.ts";

export const signingAlgorithm = "EdDSA";

/** The key that signs a new access token. */
export interface ActiveKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface SigningKeys {
  /** The key that signs new access tokens now. */
  active(): Promise<ActiveKey>;
  /** Public halves of the keys verifiers must accept now, as served at /.well-known/jwks.json. */
  jwks(): Promise<JSONWebKeySet>;
}

export interface SigningKeysOptions {
  database: AuthDatabase;
  /** AUTH_SIGNING_KEY: one fixed key from the environment; the table is not used. */
  fromEnv?: string | undefined;
  /** AUTH_KEY_ENCRYPTION_KEY, decoded; unset = private halves stored as plain JSON (development). */
  encryptionKey?: Uint8Array | undefined;
  accessTtlSeconds: number;
  now: () => Date;
  logger?: Logger;
}

interface LoadedKey {
  kid: string;
  activates_at: Date;
  created_at: Date;
  retired_at: null;
  publicJwk: JWK;
  /** Missing only when the row could not be decrypted after start-up (logged). */
  privateKey?: CryptoKey;
}

/**
 * The signing keys of the running service. From AUTH_SIGNING_KEY: that key alone. Otherwise
 * from the signing_keys table, created on first start, re-read every keyCacheSeconds so a
 * rotation made by the admin CLI (or another replica) is seen without a restart. Re-reading
 * on each JWKS request instead would put a public endpoint straight onto the database.
 */
export async function openSigningKeys(options: SigningKeysOptions): Promise<SigningKeys> {
  if (options.fromEnv !== undefined) return fixedKey(parseEnvKey(options.fromEnv));
  const { database, encryptionKey, now, logger } = options;
  const overlap = overlapSeconds(options.accessTtlSeconds);
  if (!encryptionKey) {
    logger?.warn(
      "signing keys are stored unencrypted in the database: set AUTH_KEY_ENCRYPTION_KEY (required with NODE_ENV=production)",
    );
  }
  const stored = await withTransaction(database.db, (trx) => prepareStoredKeys(trx, { encryptionKey, now, logger }));
  // A row the key does not decrypt stops start-up here (a wrong AUTH_KEY_ENCRYPTION_KEY).
  let loaded = await loadKeys(stored, encryptionKey, new Map());
  let loadedAt = now().getTime();
  let reloading: Promise<void> | undefined;
  let lastJwks: { kids: string; jwks: JSONWebKeySet } | undefined;

  async function reload(): Promise<void> {
    const at = now();
    try {
      const rows = await listLiveKeys(database.db);
      const expired = keySchedule(rows, at, overlap)
        .filter((s) => s.state === "retired")
        .map((s) => s.key.kid);
      const retired = await retireKeys(database.db, expired, at);
      if (retired.length > 0)
        logger?.info({ kids: retired }, "signing keys retired: every token they signed has expired");
      const live = rows.filter((r) => !expired.includes(r.kid));
      loaded = await loadKeys(live, encryptionKey, new Map(loaded.map((k) => [k.kid, k])), logger);
    } catch (err) {
      logger?.warn({ err }, "could not re-read the signing keys; using the ones read before");
    }
    loadedAt = at.getTime();
  }

  async function schedule(): Promise<KeyStatus<LoadedKey>[]> {
    const t = now().getTime();
    if (t - loadedAt >= keyCacheSeconds * 1000 || t < loadedAt) {
      reloading ??= reload().finally(() => {
        reloading = undefined;
      });
      await reloading;
    }
    return keySchedule(loaded, now(), overlap);
  }

  return {
    async active() {
      const keys = await schedule();
      // The active key; should its row not decrypt (logged), the newest one that can still sign.
      const usable = [...keys]
        .reverse()
        .filter((s) => s.key.privateKey && (s.state === "active" || s.state === "previous"));
      const chosen = usable.find((s) => s.state === "active") ?? usable[0];
      if (!chosen?.key.privateKey) throw new Error("no signing key can be used (see the earlier log lines)");
      return { kid: chosen.key.kid, privateKey: chosen.key.privateKey };
    },
    async jwks() {
      const keys = (await schedule()).filter((s) => s.state !== "retired").reverse();
      const kids = keys.map((s) => s.key.kid).join(" ");
      // Same object while the set is unchanged: verifiers build their lookup once per set.
      if (lastJwks?.kids !== kids) {
        lastJwks = { kids, jwks: { keys: keys.map((s) => jwksEntry(s.key.publicJwk, s.key.kid)) } };
      }
      return lastJwks.jwks;
    },
  };
}

/**
 * Start-up, under the table lock: refuses encrypted rows without the key, encrypts rows
 * still in plain text when the key is set (logged by kid, never by content), and creates
 * the first key of an empty table.
 */
async function prepareStoredKeys(
  trx: Transaction<AuthTables>,
  { encryptionKey, now, logger }: Pick<SigningKeysOptions, "encryptionKey" | "now" | "logger">,
): Promise<StoredKey[]> {
  await lockSigningKeys(trx);
  const rows = await listLiveKeys(trx);
  if (!encryptionKey && rows.some((r) => r.private_jwk_encrypted !== null)) {
    throw new ConfigError([
      "AUTH_KEY_ENCRYPTION_KEY: is not set, but the stored signing keys are encrypted; set the key they were encrypted with",
    ]);
  }
  if (encryptionKey) await encryptPlainRows(trx, rows, encryptionKey, logger);
  if (rows.length > 0) return rows;
  return [await createSigningKey(trx, { encryptionKey, activatesAt: now() })];
}

/** The migration path: rows written before AUTH_KEY_ENCRYPTION_KEY was set are encrypted in place. */
async function encryptPlainRows(
  trx: Transaction<AuthTables>,
  rows: StoredKey[],
  encryptionKey: Uint8Array,
  logger?: Logger,
): Promise<string[]> {
  const kids: string[] = [];
  for (const row of rows.filter((r) => r.private_jwk_encrypted === null)) {
    const encrypted = await encryptPrivateJwk(asJwk(row.private_jwk), row.kid, encryptionKey);
    await storeEncrypted(trx, row.kid, encrypted);
    Object.assign(row, { private_jwk: null, private_jwk_encrypted: encrypted });
    kids.push(row.kid);
    logger?.info({ kid: row.kid }, "signing key was stored in plain text; now encrypted with AUTH_KEY_ENCRYPTION_KEY");
  }
  return kids;
}

export type RotationResult =
  | {
      kind: "rotated";
      created: StoredKey;
      /** Older keys retired at once (--immediate). */
      retired: string[];
      /** Rows found in plain text and encrypted on the way. */
      encrypted: string[];
      /** Every live key after the rotation, with when it stops signing and stops being published. */
      schedule: KeyStatus<StoredKey>[];
    }
  | { kind: "pending"; pending: StoredKey };

/**
 * Adds a new signing key. It is published at once and signs from activationDelaySeconds on
 * (at once for the first key, or with `immediate` after a compromise, which also retires
 * every older key); the service retires the older key when its tokens have expired.
 */
export async function rotateSigningKey(
  database: AuthDatabase,
  options: { encryptionKey: Uint8Array | undefined; accessTtlSeconds: number; now: Date; immediate: boolean },
): Promise<RotationResult> {
  const { encryptionKey, now, immediate } = options;
  const overlap = overlapSeconds(options.accessTtlSeconds);
  return withTransaction(database.db, async (trx): Promise<RotationResult> => {
    await lockSigningKeys(trx);
    const rows = await listLiveKeys(trx);
    // The key must read what stays before a key the service could not read back is added.
    // --immediate retires every row, so it also serves to change AUTH_KEY_ENCRYPTION_KEY.
    if (!immediate) for (const row of rows) await privateJwkOf(row, encryptionKey);
    const pending = keySchedule(rows, now, overlap).find((s) => s.state === "upcoming");
    if (pending && !immediate) return { kind: "pending", pending: pending.key };
    const encrypted = encryptionKey && !immediate ? await encryptPlainRows(trx, rows, encryptionKey) : [];
    const activatesAt = immediate || rows.length === 0 ? now : new Date(now.getTime() + activationDelaySeconds * 1000);
    const created = await createSigningKey(trx, { encryptionKey, activatesAt });
    const retired = immediate
      ? await retireKeys(
          trx,
          rows.map((r) => r.kid),
          now,
        )
      : [];
    const live = [...rows.filter((r) => !retired.includes(r.kid)), created];
    return { kind: "rotated", created, retired, encrypted, schedule: keySchedule(live, now, overlap) };
  });
}

/** Generates a key pair and stores it (encrypted when there is a key to encrypt with). */
async function createSigningKey(
  db: Kysely<AuthTables> | Transaction<AuthTables>,
  { encryptionKey, activatesAt }: { encryptionKey: Uint8Array | undefined; activatesAt: Date },
): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(signingAlgorithm, { crv: "Ed25519", extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicPart(privateJwk));
  const full = { ...privateJwk, kid };
  const row = {
    kid,
    algorithm: signingAlgorithm,
    public_jwk: publicPart(privateJwk),
    private_jwk: encryptionKey ? null : full,
    private_jwk_encrypted: encryptionKey ? await encryptPrivateJwk(full, kid, encryptionKey) : null,
    activates_at: activatesAt,
  };
  await insertSigningKey(db, row);
  return { ...row, created_at: new Date(), retired_at: null };
}

/** Without a logger (start-up) a row that does not decrypt throws; later it is logged and skipped. */
async function loadKeys(
  rows: StoredKey[],
  encryptionKey: Uint8Array | undefined,
  known: Map<string, LoadedKey>,
  logger?: Logger,
): Promise<LoadedKey[]> {
  const keys: LoadedKey[] = [];
  for (const row of rows) {
    const base = {
      kid: row.kid,
      activates_at: row.activates_at,
      created_at: row.created_at,
      retired_at: null,
      publicJwk: asJwk(row.public_jwk),
    };
    const privateKey = known.get(row.kid)?.privateKey;
    if (privateKey) {
      keys.push({ ...base, privateKey });
      continue;
    }
    try {
      keys.push({ ...base, privateKey: await importPrivate(await privateJwkOf(row, encryptionKey)) });
    } catch (err) {
      if (!logger) throw err;
      logger.error({ kid: row.kid, err }, "signing key cannot be used; not signing with it");
      keys.push(base);
    }
  }
  return keys;
}

/** The private JWK of a live row: decrypted, or as stored in development. */
async function privateJwkOf(row: StoredKey, encryptionKey: Uint8Array | undefined): Promise<JWK> {
  if (row.private_jwk_encrypted !== null) {
    if (!encryptionKey) {
      throw new ConfigError([`AUTH_KEY_ENCRYPTION_KEY: is not set, but signing key ${row.kid} is encrypted`]);
    }
    return decryptPrivateJwk(row.private_jwk_encrypted, row.kid, encryptionKey);
  }
  return asJwk(row.private_jwk);
}

async function importPrivate(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK(jwk, signingAlgorithm)) as CryptoKey;
}

async function fixedKey(privateJwk: JWK): Promise<SigningKeys> {
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(publicPart(privateJwk)));
  const key = { kid, privateKey: await importPrivate(privateJwk) };
  const jwks = { keys: [jwksEntry(privateJwk, kid)] };
  return { active: async () => key, jwks: async () => jwks };
}

/** A JWKS entry: public members only, with kid, alg and use. */
function jwksEntry(jwk: JWK, kid: string): JWK {
  return { ...publicPart(jwk), kid, alg: signingAlgorithm, use: "sig" };
}

/** Only the public members of an OKP key: `d` never leaves this module. */
function publicPart(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}

function asJwk(value: unknown): JWK {
  // pg returns jsonb parsed; a driver that hands back text is handled too.
  return (typeof value === "string" ? JSON.parse(value) : value) as JWK;
}

/** Checks the operator's key without ever echoing it (it is a secret). */
function parseEnvKey(raw: string): JWK {
  let jwk: JWK;
  try {
    jwk = JSON.parse(raw) as JWK;
  } catch {
    throw new Error("AUTH_SIGNING_KEY: is not valid JSON (expected a private Ed25519 JWK)");
  }
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || typeof jwk.d !== "string") {
    throw new Error('AUTH_SIGNING_KEY: must be a private Ed25519 JWK ({"kty":"OKP","crv":"Ed25519","x":…,"d":…})');
  }
  return jwk;
}
