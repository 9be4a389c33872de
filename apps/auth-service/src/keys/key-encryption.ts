import { ConfigError } from "@clinic/platform";
import { FlattenedEncrypt, flattenedDecrypt, type JWK } from "jose";

/**
 * The private signing key at rest: a JWE (RFC 7516) with `dir` + `A256GCM`, the content key
 * being AUTH_KEY_ENCRYPTION_KEY itself. The signing key's kid is the associated data, and it
 * is not stored with the ciphertext but supplied from the row on decryption: a ciphertext
 * copied onto another key's row does not decrypt.
 */
const protectedHeader = { alg: "dir", enc: "A256GCM", cty: "jwk+json" } as const;
const decryptOptions = { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] };

export const keyEncryptionKeyHelp = "32 random bytes in base64 or base64url; generate with `openssl rand -base64 32`";

/** AUTH_KEY_ENCRYPTION_KEY decoded, or undefined when it is not 32 bytes of base64/base64url. */
export function parseKeyEncryptionKey(raw: string): Uint8Array | undefined {
  const text = raw.trim();
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) return undefined;
  const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === 32 ? new Uint8Array(bytes) : undefined;
}

export async function encryptPrivateJwk(jwk: JWK, kid: string, key: Uint8Array): Promise<string> {
  const { aad: _aad, ...stored } = await new FlattenedEncrypt(new TextEncoder().encode(JSON.stringify(jwk)))
    .setProtectedHeader(protectedHeader)
    .setAdditionalAuthenticatedData(new TextEncoder().encode(kid))
    .encrypt(key);
  return JSON.stringify(stored);
}

/**
 * Refuses (a ConfigError: start-up stops) when the key is not the one the row was encrypted
 * with, or the row was altered. A new signing key is never made instead: tokens already
 * issued would stop verifying, and a wrong variable would go unnoticed.
 */
export async function decryptPrivateJwk(encrypted: string, kid: string, key: Uint8Array): Promise<JWK> {
  try {
    const jwe = { ...(JSON.parse(encrypted) as object), aad: Buffer.from(kid).toString("base64url") };
    const { plaintext } = await flattenedDecrypt(jwe as Parameters<typeof flattenedDecrypt>[0], key, decryptOptions);
    return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
  } catch {
    throw new ConfigError([
      `AUTH_KEY_ENCRYPTION_KEY: does not decrypt the stored signing key ${kid} (not the key it was encrypted with, or the row was altered); start with the right key — no new signing key is generated in its place`,
    ]);
  }
}
