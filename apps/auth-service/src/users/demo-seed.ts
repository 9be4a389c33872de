import { demoClinic, demoUsers } from "@clinic/contracts";
import type { Logger } from "pino";
import type { AuthDatabase } from "../database.ts";
import { hashPassword } from "./password.ts";
import { existingUserIds, insertClinicIfMissing, insertUserIfMissing } from "./users.repository.ts";

/**
 * Seeds the demo clinic and its four people. Idempotent: existing rows are
 * left alone (including a changed password), and only missing users cost a password hash.
 */
export async function seedDemoUsers(database: AuthDatabase, logger?: Logger): Promise<number> {
  const { db } = database;
  await insertClinicIfMissing(db, demoClinic);
  const people = Object.values(demoUsers);
  const existing = await existingUserIds(
    db,
    people.map((p) => p.id),
  );
  let created = 0;
  for (const person of people) {
    if (existing.has(person.id)) continue;
    const { password, ...user } = person;
    const inserted = await insertUserIfMissing(db, { ...user, password_hash: await hashPassword(password) });
    if (inserted) created += 1;
  }
  if (created > 0) logger?.info({ created }, "demo users seeded");
  return created;
}
