import { fileURLToPath } from "node:url";
import { type DatabaseOptions, migrate, openDatabase } from "@clinic/platform";
import { testDatabase } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthDatabase, AuthTables } from "./database.ts";

const migrations = fileURLToPath(new URL("./migrations", import.meta.url));

// The same tests on PGlite, and on real PostgreSQL too when DATABASE_URL is set (CI).
const targets: { label: string; options: DatabaseOptions | undefined }[] = [
  { label: "PGlite", options: { service: "auth-migrations", dataDir: ":memory:" } },
  ...(process.env.DATABASE_URL ? [{ label: "PostgreSQL", options: undefined }] : []),
];

describe.each(targets)("auth migrations on $label", ({ options }) => {
  let database: AuthDatabase;
  let drop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const target = options ? { options, drop } : testDatabase("auth-migrations");
    drop = target.drop;
    database = await openDatabase<AuthTables>(target.options);
  });
  afterAll(async () => {
    await database?.close();
    await drop();
  });

  const user = (id: string, email: string, role = "DOCTOR") => ({
    id,
    role: role as "DOCTOR",
    name: "Someone",
    email,
    password_hash: "scrypt$15$8$1$x$y",
    clinic_id: "c1",
  });

  it("apply once, and a second run applies nothing", async () => {
    expect(await migrate(database, migrations)).toEqual([
      "2026-11-25-001-auth-init",
      "2026-12-02-001-signing-keys-at-rest",
      "2026-12-03-001-people-directory",
      "2026-12-03-002-refresh-grace-once",
    ]);
    expect(await migrate(database, migrations)).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() ORDER BY table_name`.execute(database.db);
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      "clinics",
      "password_links",
      "refresh_token_families",
      "refresh_tokens",
      "schema_migrations",
      "signing_keys",
      "user_audit",
      "users",
    ]);
  });

  it("keep emails unique whatever their case", async () => {
    await database.db.insertInto("clinics").values({ id: "c1", name: "Clinic" }).execute();
    await database.db.insertInto("users").values(user("u1", "ada@example.org")).execute();
    await expect(database.db.insertInto("users").values(user("u2", "ADA@Example.org")).execute()).rejects.toThrow();
  });

  it("refuse an unknown role and a user of an unknown clinic", async () => {
    await expect(
      database.db
        .insertInto("users")
        .values(user("u3", "x@example.org", "NURSE"))
        .execute(),
    ).rejects.toThrow();
    await expect(
      database.db
        .insertInto("users")
        .values({ ...user("u4", "y@example.org"), clinic_id: "nowhere" })
        .execute(),
    ).rejects.toThrow();
  });

  it("generate text ids for users inserted without one", async () => {
    const { id: _id, ...rest } = user("ignored", "generated@example.org");
    const row = await database.db.insertInto("users").values(rest).returning("id").executeTakeFirstOrThrow();
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keep a live signing key's private half in exactly one form, and none once retired", async () => {
    const key = (kid: string, extra: object) =>
      database.db
        .insertInto("signing_keys")
        .values({ kid, algorithm: "EdDSA", public_jwk: "{}", activates_at: new Date(), ...extra })
        .execute();
    await expect(key("none", {})).rejects.toThrow();
    await expect(key("both", { private_jwk: "{}", private_jwk_encrypted: "{}" })).rejects.toThrow();
    await expect(key("retired-with-secret", { private_jwk_encrypted: "{}", retired_at: new Date() })).rejects.toThrow();
    await key("encrypted", { private_jwk_encrypted: "{}" });
    await key("retired", { retired_at: new Date() });
  });

  it("remove a user's refresh tokens with the user", async () => {
    await database.db.insertInto("refresh_token_families").values({ id: "f1", user_id: "u1" }).execute();
    await database.db
      .insertInto("refresh_tokens")
      .values({ token_hash: "h1", family_id: "f1", expires_at: new Date(Date.now() + 60_000) })
      .execute();
    await database.db.deleteFrom("users").where("id", "=", "u1").execute();
    const left = await database.db
      .selectFrom("refresh_tokens")
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirstOrThrow();
    expect(left.n).toBe(0);
  });
});
