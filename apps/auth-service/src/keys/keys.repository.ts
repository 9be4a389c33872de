import { type Kysely, sql, type Transaction } from "kysely";
import type { AuthTables } from "../database.ts";

type Db = Kysely<AuthTables> | Transaction<AuthTables>;

export interface StoredKey {
  kid: string;
  algorithm: string;
  public_jwk: unknown;
  private_jwk: unknown;
}

/** Newest first: the first key signs, all of them verify. */
export function listSigningKeys(db: Db): Promise<StoredKey[]> {
  return db
    .selectFrom("signing_keys")
    .select(["kid", "algorithm", "public_jwk", "private_jwk"])
    .orderBy("created_at", "desc")
    .orderBy("kid")
    .execute();
}

/**
 * Replicas starting together must not each create a key: the table lock makes the second
 * one wait, then find the first one's key.
 */
export async function lockSigningKeys(trx: Transaction<AuthTables>): Promise<void> {
  await sql`LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
}

export async function insertSigningKey(db: Db, key: StoredKey): Promise<void> {
  await db
    .insertInto("signing_keys")
    .values({
      kid: key.kid,
      algorithm: key.algorithm,
      public_jwk: JSON.stringify(key.public_jwk),
      private_jwk: JSON.stringify(key.private_jwk),
    })
    .execute();
}
