import { fileURLToPath } from "node:url";
import { demoClinic, demoUsers } from "@clinic/contracts";
import { migrate, openDatabase } from "@clinic/platform";
import { testDatabase } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthDatabase, AuthTables } from "../database.ts";
import { seedDemoUsers } from "./demo-seed.ts";
import { verifyPassword } from "./password.ts";

describe("demo seed", () => {
  let database: AuthDatabase;
  const target = testDatabase("auth-seed");
  beforeAll(async () => {
    database = await openDatabase<AuthTables>(target.options);
    await migrate(database, fileURLToPath(new URL("../migrations", import.meta.url)));
  });
  afterAll(async () => {
    await database?.close();
    await target.drop();
  });

  it("creates the demo clinic and its four people with fixed ids, once", async () => {
    expect(await seedDemoUsers(database)).toBe(4);
    expect(await seedDemoUsers(database)).toBe(0);
    const clinics = await database.db.selectFrom("clinics").selectAll().execute();
    expect(clinics.map((c) => c.id)).toEqual([demoClinic.id]);
    const users = await database.db.selectFrom("users").selectAll().orderBy("id").execute();
    expect(users.map((u) => [u.id, u.role, u.name, u.email, u.clinic_id])).toEqual(
      Object.values(demoUsers)
        .map((u) => [u.id, u.role, u.name, u.email, u.clinic_id])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    for (const person of Object.values(demoUsers)) {
      const row = users.find((u) => u.id === person.id);
      expect(row?.password_hash).not.toContain(person.password);
      await expect(verifyPassword(person.password, row?.password_hash ?? "")).resolves.toBe(true);
    }
  });

  it("leaves a changed demo password alone on the next start", async () => {
    await database.db
      .updateTable("users")
      .set({ password_hash: "changed" })
      .where("id", "=", demoUsers.admin.id)
      .execute();
    expect(await seedDemoUsers(database)).toBe(0);
    const row = await database.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", demoUsers.admin.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toBe("changed");
  });
});
