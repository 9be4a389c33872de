import { type Kysely, sql, type Transaction } from "kysely";
import type { AuthTables } from "../database.ts";

type Db = Kysely<AuthTables> | Transaction<AuthTables>;

export async function insertFamily(db: Db, family: { id: string; user_id: string; created_at: Date }): Promise<void> {
  await db.insertInto("refresh_token_families").values(family).execute();
}

export async function insertRefreshToken(
  db: Db,
  token: { token_hash: string; family_id: string; expires_at: Date },
): Promise<void> {
  await db.insertInto("refresh_tokens").values(token).execute();
}

export function findRefreshToken(db: Db, tokenHash: string) {
  return db
    .selectFrom("refresh_tokens")
    .select(["token_hash", "family_id", "expires_at", "used_at"])
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
}

/** Locks the family row so concurrent rotations of one login run one after the other. */
export function lockFamily(trx: Transaction<AuthTables>, familyId: string) {
  return trx
    .selectFrom("refresh_token_families")
    .select(["id", "user_id", "created_at", "revoked_at"])
    .where("id", "=", familyId)
    .forUpdate()
    .executeTakeFirst();
}

/** Marks a token used, only if it was not already: false means someone else used it first. */
export async function markUsed(db: Db, tokenHash: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable("refresh_tokens")
    .set({ used_at: at })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Spends a used token's one grace (REFRESH_REUSE_GRACE_S): false when it was spent already. */
export async function markGraceUsed(db: Db, tokenHash: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable("refresh_tokens")
    .set({ grace_used_at: at })
    .where("token_hash", "=", tokenHash)
    .where("grace_used_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function revokeFamily(
  db: Db,
  familyId: string,
  reason: "LOGOUT" | "REUSE_DETECTED",
  at: Date,
): Promise<void> {
  await db
    .updateTable("refresh_token_families")
    .set({ revoked_at: at, revoked_reason: reason })
    .where("id", "=", familyId)
    .where("revoked_at", "is", null)
    .execute();
}

/**
 * Drops a user's tokens that can no longer be used (expired) and the families left empty,
 * so the tables stay proportional to live logins. Reuse of an expired token is refused
 * as invalid either way.
 */
export async function pruneExpired(db: Db, userId: string, now: Date): Promise<void> {
  const families = db.selectFrom("refresh_token_families").select("id").where("user_id", "=", userId);
  await db.deleteFrom("refresh_tokens").where("family_id", "in", families).where("expires_at", "<", now).execute();
  await db
    .deleteFrom("refresh_token_families")
    .where("user_id", "=", userId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("refresh_tokens")
            .select(sql`1`.as("one"))
            .whereRef("refresh_tokens.family_id", "=", "refresh_token_families.id"),
        ),
      ),
    )
    .execute();
}

/** Ends every live login of a person at once (deactivation, new password). */
export async function revokeAllFamilies(
  db: Db,
  userId: string,
  reason: "DEACTIVATED" | "PASSWORD_CHANGED",
  at: Date,
): Promise<void> {
  await db
    .updateTable("refresh_token_families")
    .set({ revoked_at: at, revoked_reason: reason })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .execute();
}
