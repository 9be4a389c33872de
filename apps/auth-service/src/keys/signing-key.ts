import { withTransaction } from "@clinic/platform";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from "jose";
import type { AuthDatabase } from "../database.ts";
import { insertSigningKey, listSigningKeys, lockSigningKeys } from "./keys.repository.ts";

export const signingAlgorithm = "EdDSA";

export interface SigningKeys {
  /** Signs every new access token. */
  kid: string;
  privateKey: CryptoKey;
  /** Public halves only, as served at /.well-known/jwks.json. */
  jwks: JSONWebKeySet;
}

/** The private key from AUTH_SIGNING_KEY, or the database's key, created on first start. */
export async function loadSigningKeys(database: AuthDatabase, fromEnv: string | undefined): Promise<SigningKeys> {
  if (fromEnv !== undefined) return keysFromJwk(parseEnvKey(fromEnv), []);
  const stored = await withTransaction(database.db, async (trx) => {
    await lockSigningKeys(trx);
    const existing = await listSigningKeys(trx);
    if (existing.length > 0) return existing;
    const created = await generateSigningKey();
    await insertSigningKey(trx, created);
    return [created];
  });
  const [current, ...older] = stored.map((k) => asJwk(k.private_jwk));
  return keysFromJwk(current as JWK, older);
}

async function generateSigningKey() {
  const { privateKey } = await generateKeyPair(signingAlgorithm, { crv: "Ed25519", extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicPart(privateJwk));
  return { kid, algorithm: signingAlgorithm, public_jwk: publicPart(privateJwk), private_jwk: { ...privateJwk, kid } };
}

async function keysFromJwk(privateJwk: JWK, older: JWK[]): Promise<SigningKeys> {
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(publicPart(privateJwk)));
  const privateKey = (await importJWK(privateJwk, signingAlgorithm)) as CryptoKey;
  const published = await Promise.all(
    [{ ...privateJwk, kid }, ...older].map(async (jwk) => ({
      ...publicPart(jwk),
      kid: jwk.kid ?? (await calculateJwkThumbprint(publicPart(jwk))),
      alg: signingAlgorithm,
      use: "sig",
    })),
  );
  return { kid, privateKey, jwks: { keys: published } };
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
