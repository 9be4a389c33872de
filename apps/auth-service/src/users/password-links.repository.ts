import type { Kysely, Transaction } from "kysely";
import type { AuthTables } from "../database.ts";

type Db = Kysely<AuthTables> | Transaction<AuthTables>;

export async function insertPasswordLink(
  db: Db,
  link: {
    user_id: string;
    token_hash: string;
    purpose: "SET" | "RESET";
    created_by: string;
    created_at: Date;
    expires_at: Date;
  },
): Promise<void> {
  await db.insertInto("password_links").values(link).execute();
}

/** A newer link (or a deactivation) makes the person's unused links worthless: they are dropped. */
export async function deleteUnusedLinks(db: Db, userId: string): Promise<void> {
  await db.deleteFrom("password_links").where("user_id", "=", userId).where("used_at", "is", null).execute();
}

/** The link and its person's facts, for deciding a use. */
export function findLinkByHash(db: Db, tokenHash: string) {
  return db
    .selectFrom("password_links")
    .innerJoin("users", "users.id", "password_links.user_id")
    .select([
      "password_links.id",
      "password_links.user_id",
      "password_links.expires_at",
      "password_links.used_at",
      "users.role",
      "users.clinic_id",
      "users.active",
    ])
    .where("password_links.token_hash", "=", tokenHash)
    .executeTakeFirst();
}

/**
 * Uses the link up, only if it is still unused and unexpired: of two concurrent uses the
 * second finds it used (the row lock makes it wait for the first to commit). False: not used now.
 */
export async function markLinkUsed(db: Db, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable("password_links")
    .set({ used_at: at })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("expires_at", ">", at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
