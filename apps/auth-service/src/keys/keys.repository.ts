import { type Kysely, sql, type Transaction } from "kysely";
import type { AuthTables } from "../database.ts";

type Db = Kysely<AuthTables> | Transaction<AuthTables>;

export interface StoredKey {
  kid: string;
  algorithm: string;
  public_jwk: unknown;
  private_jwk: unknown | null;
  private_jwk_encrypted: string | null;
  activates_at: Date;
  created_at: Date;
  retired_at: Date | null;
}

const columns = [
  "kid",
  "algorithm",
  "public_jwk",
  "private_jwk",
  "private_jwk_encrypted",
  "activates_at",
  "created_at",
  "retired_at",
] as const;

/** Keys not yet retired, oldest first (the order of the rotation schedule). */
export function listLiveKeys(db: Db): Promise<StoredKey[]> {
  return db
    .selectFrom("signing_keys")
    .select(columns)
    .where("retired_at", "is", null)
    .orderBy("activates_at")
    .orderBy("created_at")
    .orderBy("kid")
    .execute();
}

/** Every key, retired ones too, oldest first (the admin CLI's listing). */
export function listAllKeys(db: Db): Promise<StoredKey[]> {
  return db
    .selectFrom("signing_keys")
    .select(columns)
    .orderBy("activates_at")
    .orderBy("created_at")
    .orderBy("kid")
    .execute();
}

/**
 * Replicas starting together must not each create a key (nor a CLI rotation race a start):
 * the table lock makes the second one wait, then find the first one's key.
 */
export async function lockSigningKeys(trx: Transaction<AuthTables>): Promise<void> {
  await sql`LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
}

export async function insertSigningKey(
  db: Db,
  key: Pick<StoredKey, "kid" | "algorithm" | "public_jwk" | "private_jwk" | "private_jwk_encrypted" | "activates_at">,
): Promise<void> {
  await db
    .insertInto("signing_keys")
    .values({
      kid: key.kid,
      algorithm: key.algorithm,
      public_jwk: JSON.stringify(key.public_jwk),
      private_jwk: key.private_jwk === null ? null : JSON.stringify(key.private_jwk),
      private_jwk_encrypted: key.private_jwk_encrypted,
      activates_at: key.activates_at,
    })
    .execute();
}

/** Replaces a plain-text private half by its encrypted form (the migration of an old row). */
export async function storeEncrypted(db: Db, kid: string, encrypted: string): Promise<void> {
  await db
    .updateTable("signing_keys")
    .set({ private_jwk_encrypted: encrypted, private_jwk: null })
    .where("kid", "=", kid)
    .where("retired_at", "is", null)
    .execute();
}

/**
 * Stops publishing keys and erases their private halves (nothing may sign with them again).
 * Returns the kids this call retired: replicas doing the same at once each report only theirs.
 */
export async function retireKeys(db: Db, kids: string[], at: Date): Promise<string[]> {
  if (kids.length === 0) return [];
  const rows = await db
    .updateTable("signing_keys")
    .set({ retired_at: at, private_jwk: null, private_jwk_encrypted: null })
    .where("kid", "in", kids)
    .where("retired_at", "is", null)
    .returning("kid")
    .execute();
  return rows.map((r) => r.kid);
}
