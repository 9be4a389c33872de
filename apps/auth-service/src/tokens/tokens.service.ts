import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { TokenResponse, User } from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import type { Kysely, Transaction } from "kysely";
import type { AuthTables } from "../database.ts";
import { InvalidCredentials, InvalidRefreshToken, RefreshTokenReused } from "../errors.ts";
import type { SigningKeys } from "../keys/signing-key.ts";
import { hashPassword, verifyPassword } from "../users/password.ts";
import { findUserByEmail, findUserById, toUser } from "../users/users.repository.ts";
import { type AccessTokenSettings, signAccessToken } from "./access-token.ts";
import * as refreshTokens from "./refresh-tokens.repository.ts";

export interface TokensServiceOptions {
  db: Kysely<AuthTables>;
  keys: SigningKeys;
  access: AccessTokenSettings;
  refreshTtlSeconds: number;
  now: () => Date;
}

/** Opaque, 256 bits of randomness; only its SHA-256 is stored. */
const newRefreshToken = () => randomBytes(32).toString("base64url");
const digest = (token: string) => createHash("sha256").update(token).digest("base64url");

type RotationOutcome = { kind: "rotated"; user: User; refreshToken: string } | { kind: "reused" } | { kind: "invalid" };

export function createTokensService(options: TokensServiceOptions) {
  const { db, keys, access, refreshTtlSeconds, now } = options;
  // Unknown emails are checked against this hash so they cost the same scrypt work as known ones.
  const dummyHash = hashPassword(randomBytes(16).toString("hex"));

  async function respond(user: User, refreshToken: string): Promise<TokenResponse> {
    return {
      access_token: await signAccessToken(keys, access, user, now()),
      token_type: "Bearer",
      expires_in: access.ttlSeconds,
      refresh_token: refreshToken,
      user,
    };
  }

  async function addToken(trx: Transaction<AuthTables>, familyId: string): Promise<string> {
    const token = newRefreshToken();
    const expires_at = new Date(now().getTime() + refreshTtlSeconds * 1000);
    await refreshTokens.insertRefreshToken(trx, { token_hash: digest(token), family_id: familyId, expires_at });
    return token;
  }

  return {
    async login(email: string, password: string): Promise<TokenResponse> {
      const row = await findUserByEmail(db, email);
      const valid = await verifyPassword(password, row?.password_hash ?? (await dummyHash));
      if (!row || !valid) throw new InvalidCredentials();
      const refreshToken = await withTransaction(db, async (trx) => {
        await refreshTokens.pruneExpired(trx, row.id, now());
        const familyId = randomUUID();
        await refreshTokens.insertFamily(trx, { id: familyId, user_id: row.id });
        return addToken(trx, familyId);
      });
      return respond(toUser(row), refreshToken);
    },

    /** Rotation with reuse detection: a used token coming back ends the whole family. */
    async refresh(presented: string): Promise<TokenResponse> {
      const outcome = await withTransaction(db, async (trx): Promise<RotationOutcome> => {
        const token = await refreshTokens.findRefreshToken(trx, digest(presented));
        if (!token) return { kind: "invalid" };
        const family = await refreshTokens.lockFamily(trx, token.family_id);
        if (!family || family.revoked_at) return { kind: "invalid" };
        const at = now();
        if (token.expires_at.getTime() <= at.getTime()) return { kind: "invalid" };
        // Read again under the family lock: a concurrent rotation may have used it meanwhile.
        if (token.used_at || !(await refreshTokens.markUsed(trx, token.token_hash, at))) {
          await refreshTokens.revokeFamily(trx, family.id, "REUSE_DETECTED", at);
          return { kind: "reused" };
        }
        const row = await findUserById(trx, family.user_id);
        if (!row) return { kind: "invalid" };
        return { kind: "rotated", user: toUser(row), refreshToken: await addToken(trx, family.id) };
      });
      // The revocation above is committed before the refusal leaves.
      if (outcome.kind === "reused") throw new RefreshTokenReused();
      if (outcome.kind === "invalid") throw new InvalidRefreshToken();
      return respond(outcome.user, outcome.refreshToken);
    },

    /** Ends the login the token belongs to. Unknown tokens are ignored: logging out twice is fine. */
    async logout(presented: string): Promise<void> {
      const token = await refreshTokens.findRefreshToken(db, digest(presented));
      if (token) await refreshTokens.revokeFamily(db, token.family_id, "LOGOUT", now());
    },
  };
}

export type TokensService = ReturnType<typeof createTokensService>;
