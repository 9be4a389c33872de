import type { User } from "@clinic/contracts";
import { type Kysely, sql, type Transaction } from "kysely";
import type { AuthTables } from "../database.ts";

type Db = Kysely<AuthTables> | Transaction<AuthTables>;

export interface UserRow extends User {
  password_hash: string;
}

const userColumns = ["id", "role", "name", "email", "clinic_id", "password_hash"] as const;

/** Emails match whatever their case (the unique index is on lower(email)). */
export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom("users")
    .select(userColumns)
    .where(sql<string>`lower(email)`, "=", email.toLowerCase())
    .executeTakeFirst();
}

export function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").select(userColumns).where("id", "=", id).executeTakeFirst();
}

export async function insertClinicIfMissing(db: Db, clinic: { id: string; name: string }): Promise<void> {
  await db
    .insertInto("clinics")
    .values(clinic)
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

export async function existingUserIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom("users").select("id").where("id", "in", ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** Inserts unless the id or the email is taken; true when the row was written. */
export async function insertUserIfMissing(db: Db, user: UserRow): Promise<boolean> {
  const result = await db
    .insertInto("users")
    .values({ ...user, email: user.email.toLowerCase() })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export function toUser(row: UserRow): User {
  return { id: row.id, role: row.role, name: row.name, email: row.email, clinic_id: row.clinic_id };
}
