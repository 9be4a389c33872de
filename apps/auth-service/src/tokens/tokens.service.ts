import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { TokenResponse, User } from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import type { Kysely, Transaction } from "kysely";
import type { AuthTables } from "../database.ts";
import {
  AccountDeactivated,
  InvalidCredentials,
  InvalidRefreshToken,
  RefreshTokenReused,
  SessionExpired,
} from "../errors.ts";
import type { SigningKeys } from "../keys/signing-key.ts";
import { hashPassword, verifyPassword } from "../users/password.ts";
import { findUserByEmail, findUserById, toUser } from "../users/users.repository.ts";
import { type AccessTokenSettings, signAccessToken } from "./access-token.ts";
import * as refreshTokens from "./refresh-tokens.repository.ts";

/** Why a login was refused: wrong email/password, or too many attempts. */
export type LoginFailure = "INVALID_CREDENTIALS" | "RATE_LIMITED";

export interface TokensServiceOptions {
  db: Kysely<AuthTables>;
  keys: SigningKeys;
  access: AccessTokenSettings;
  refreshTtlSeconds: number;
  /** SESSION_MAX_HOURS: a login (refresh-token family) ends this long after it began, rotations or not. */
  sessionMaxHours: number;
  /** REFRESH_REUSE_GRACE_S: a used token back within this many seconds gets a sibling, not a revocation. */
  refreshReuseGraceSeconds: number;
  now: () => Date;
  /** Told of every refused login (metrics hook here); gets no email or password. */
  onLoginFailure?: (reason: LoginFailure) => void;
}

/** Opaque, 256 bits of randomness; only its SHA-256 is stored. */
const newRefreshToken = () => randomBytes(32).toString("base64url");
const digest = (token: string) => createHash("sha256").update(token).digest("base64url");

/**
 * What login and refresh hand the routes: the response body with the refresh token, and the
 * seconds that token has left (the cookie's Max-Age when it is delivered as a cookie).
 */
export type IssuedTokens = TokenResponse & { refresh_token: string; refreshExpiresIn: number };

interface NewRefreshToken {
  token: string;
  expiresAt: Date;
}

type RotationOutcome =
  | { kind: "rotated"; user: User; refreshToken: NewRefreshToken }
  | { kind: "reused" }
  | { kind: "invalid" }
  | { kind: "session-expired" };

export function createTokensService(options: TokensServiceOptions) {
  const { db, keys, access, refreshTtlSeconds, sessionMaxHours, now } = options;
  const sessionMaxMs = sessionMaxHours * 3600_000;
  const reuseGraceMs = options.refreshReuseGraceSeconds * 1000;
  // Unknown emails are checked against this hash so they cost the same scrypt work as known ones.
  const dummyHash = hashPassword(randomBytes(16).toString("hex"));

  async function respond(user: User, refreshToken: NewRefreshToken): Promise<IssuedTokens> {
    const at = now();
    return {
      access_token: await signAccessToken(await keys.active(), access, user, at),
      token_type: "Bearer",
      expires_in: access.ttlSeconds,
      refresh_token: refreshToken.token,
      user,
      refreshExpiresIn: Math.max(0, Math.floor((refreshToken.expiresAt.getTime() - at.getTime()) / 1000)),
    };
  }

  /** No refresh token outlives its login's absolute end. */
  async function addToken(
    trx: Transaction<AuthTables>,
    familyId: string,
    loginStarted: Date,
  ): Promise<NewRefreshToken> {
    const token = newRefreshToken();
    const expiresAt = new Date(
      Math.min(now().getTime() + refreshTtlSeconds * 1000, loginStarted.getTime() + sessionMaxMs),
    );
    await refreshTokens.insertRefreshToken(trx, {
      token_hash: digest(token),
      family_id: familyId,
      expires_at: expiresAt,
    });
    return { token, expiresAt };
  }

  /** The one place a refused login is recorded (the routes call it for rate-limited attempts). */
  function recordLoginFailure(reason: LoginFailure): void {
    options.onLoginFailure?.(reason);
  }

  return {
    recordLoginFailure,

    async login(email: string, password: string): Promise<IssuedTokens> {
      const row = await findUserByEmail(db, email);
      // No password yet (a provisioned person before their link) costs the same work as an unknown email.
      const valid = await verifyPassword(password, row?.password_hash ?? (await dummyHash));
      if (!row || row.password_hash === null || !valid) {
        recordLoginFailure("INVALID_CREDENTIALS");
        throw new InvalidCredentials();
      }
      // Said only to someone who knows the password: it tells a stranger nothing.
      if (!row.active) throw new AccountDeactivated();
      const refreshToken = await withTransaction(db, async (trx) => {
        const started = now();
        await refreshTokens.pruneExpired(trx, row.id, started);
        const familyId = randomUUID();
        await refreshTokens.insertFamily(trx, { id: familyId, user_id: row.id, created_at: started });
        return addToken(trx, familyId, started);
      });
      return respond(toUser(row), refreshToken);
    },

    /**
     * Rotation with reuse detection: a used token coming back ends the whole family, unless it
     * comes back within REFRESH_REUSE_GRACE_S of its use (two tabs, or a retried request, racing
     * with one cookie): then it gets a sibling token of the same family, once per token.
     */
    async refresh(presented: string): Promise<IssuedTokens> {
      const outcome = await withTransaction(db, async (trx): Promise<RotationOutcome> => {
        const token = await refreshTokens.findRefreshToken(trx, digest(presented));
        if (!token) return { kind: "invalid" };
        const family = await refreshTokens.lockFamily(trx, token.family_id);
        if (!family || family.revoked_at) return { kind: "invalid" };
        const at = now();
        // Before the token's own expiry, which is capped at the same moment: the clearer answer wins.
        if (family.created_at.getTime() + sessionMaxMs <= at.getTime()) return { kind: "session-expired" };
        if (token.expires_at.getTime() <= at.getTime()) return { kind: "invalid" };
        // Under the family lock: a concurrent rotation may have used it meanwhile, and then
        // markUsed finds it used and the used_at read again is that rotation's.
        if (token.used_at || !(await refreshTokens.markUsed(trx, token.token_hash, at))) {
          const usedAt = token.used_at ?? (await refreshTokens.findRefreshToken(trx, token.token_hash))?.used_at;
          // Forgiven once per token: a second replay inside the window would let a stolen
          // token fork a parallel chain that reuse detection never sees.
          if (
            !usedAt ||
            at.getTime() - usedAt.getTime() >= reuseGraceMs ||
            !(await refreshTokens.markGraceUsed(trx, token.token_hash, at))
          ) {
            await refreshTokens.revokeFamily(trx, family.id, "REUSE_DETECTED", at);
            return { kind: "reused" };
          }
        }
        const row = await findUserById(trx, family.user_id);
        // Deactivation revokes the families; this also covers a family it raced with.
        if (!row?.active) return { kind: "invalid" };
        return { kind: "rotated", user: toUser(row), refreshToken: await addToken(trx, family.id, family.created_at) };
      });
      // The revocation above is committed before the refusal leaves.
      if (outcome.kind === "reused") throw new RefreshTokenReused();
      if (outcome.kind === "invalid") throw new InvalidRefreshToken();
      if (outcome.kind === "session-expired") throw new SessionExpired(sessionMaxHours);
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
