import type { DirectoryEntry, DirectoryPerson, DirectoryUser, Role, User } from "@clinic/contracts";
import { type Kysely, type SelectQueryBuilder, sql, type Transaction } from "kysely";
import type { AuthTables } from "../database.ts";

type Db = Kysely<AuthTables> | Transaction<AuthTables>;

export interface UserRow extends User {
  /** Null until the person sets a password with their link. */
  password_hash: string | null;
  active: boolean;
  created_at: Date;
  deactivated_at: Date | null;
}

const userColumns = [
  "id",
  "role",
  "name",
  "email",
  "clinic_id",
  "password_hash",
  "active",
  "created_at",
  "deactivated_at",
] as const;

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

/** Locks the person's row for a change (deactivation, new password) that must not interleave. */
export function lockUser(trx: Transaction<AuthTables>, id: string): Promise<UserRow | undefined> {
  // NO KEY UPDATE: inserts pointing at the person (a login's family) need not wait for it.
  return trx.selectFrom("users").select(userColumns).where("id", "=", id).forNoKeyUpdate().executeTakeFirst();
}

export async function clinicExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom("clinics").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
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
export async function insertUserIfMissing(db: Db, user: User & { password_hash: string | null }): Promise<boolean> {
  const result = await db
    .insertInto("users")
    .values({ ...user, email: user.email.toLowerCase() })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** A new person without a password; undefined when the email is taken. */
export function insertNewUser(
  db: Db,
  user: { role: Role; name: string; email: string; clinic_id: string },
): Promise<UserRow | undefined> {
  return db
    .insertInto("users")
    .values({ ...user, email: user.email.toLowerCase(), password_hash: null })
    .onConflict((oc) => oc.doNothing())
    .returning(userColumns)
    .executeTakeFirst();
}

export interface UserChanges {
  name?: string | undefined;
  email?: string | undefined;
  role?: Role | undefined;
  active?: boolean | undefined;
}

/** Applies the changes; deactivated_at follows `active`. */
export function updateUser(db: Db, id: string, changes: UserChanges, at: Date): Promise<UserRow | undefined> {
  return db
    .updateTable("users")
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.email !== undefined ? { email: changes.email.toLowerCase() } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.active !== undefined ? { active: changes.active, deactivated_at: changes.active ? null : at } : {}),
      updated_at: at,
    })
    .where("id", "=", id)
    .returning(userColumns)
    .executeTakeFirst();
}

export async function setPasswordHash(db: Db, id: string, passwordHash: string, at: Date): Promise<void> {
  await db.updateTable("users").set({ password_hash: passwordHash, updated_at: at }).where("id", "=", id).execute();
}

/** `%`, `_` and `\` typed by a person are literal characters, not patterns. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function matching<O>(
  query: SelectQueryBuilder<AuthTables, "users", O>,
  clinicId: string,
  filters: { role?: Role | undefined; active?: boolean | undefined; q?: string | undefined },
) {
  let q = query.where("clinic_id", "=", clinicId);
  if (filters.role !== undefined) q = q.where("role", "=", filters.role);
  if (filters.active !== undefined) q = q.where("active", "=", filters.active);
  if (filters.q !== undefined) {
    const pattern = likePattern(filters.q);
    q = q.where((eb) => eb.or([eb("name", "ilike", pattern), eb("email", "ilike", pattern)]));
  }
  return q;
}

export interface UserFilters {
  role?: Role | undefined;
  active?: boolean | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

/** One clinic's people by name (id breaking ties, so pages never overlap), and how many match. */
export async function listUsers(db: Db, clinicId: string, filters: UserFilters) {
  const { count } = await matching(db.selectFrom("users"), clinicId, filters)
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .executeTakeFirstOrThrow();
  const rows = await matching(db.selectFrom("users"), clinicId, filters)
    .select(userColumns)
    .orderBy("name")
    .orderBy("id")
    .limit(filters.limit)
    .offset(filters.offset)
    .execute();
  return { total: Number(count), rows };
}

export function toUser(row: UserRow): User {
  return { id: row.id, role: row.role, name: row.name, email: row.email, clinic_id: row.clinic_id };
}

export function toDirectoryUser(row: UserRow): DirectoryUser {
  return {
    ...toUser(row),
    active: row.active,
    has_password: row.password_hash !== null,
    created_at: row.created_at.toISOString(),
    deactivated_at: row.deactivated_at?.toISOString() ?? null,
  };
}

export function toDirectoryEntry(row: UserRow): DirectoryEntry {
  return { id: row.id, role: row.role, name: row.name, email: row.email };
}

export function toDirectoryPerson(row: UserRow): DirectoryPerson {
  return { ...toUser(row), active: row.active };
}
