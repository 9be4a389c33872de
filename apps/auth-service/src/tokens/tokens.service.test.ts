import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { migrate, openDatabase } from "@clinic/platform";
import { testDatabase } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthDatabase, AuthTables } from "../database.ts";
import { openSigningKeys } from "../keys/signing-key.ts";
import { hashPassword } from "../users/password.ts";
import { createTokensService, type TokensService } from "./tokens.service.ts";

const migrations = fileURLToPath(new URL("../migrations", import.meta.url));
const sha256 = (token: string) => createHash("sha256").update(token).digest("base64url");

// What the service leaves in the database, which the HTTP tests cannot see.
describe("tokens service storage", () => {
  let database: AuthDatabase;
  let tokens: TokensService;
  const target = testDatabase("auth-tokens");

  beforeAll(async () => {
    database = await openDatabase<AuthTables>(target.options);
    await migrate(database, migrations);
    await database.db.insertInto("clinics").values({ id: "c1", name: "Clinic" }).execute();
    await database.db
      .insertInto("users")
      .values({
        id: "u1",
        role: "PATIENT",
        name: "Pat",
        email: "pat@example.org",
        password_hash: await hashPassword("pw-1", { log2N: 10, r: 8, p: 1 }),
        clinic_id: "c1",
      })
      .execute();
    tokens = createTokensService({
      db: database.db,
      keys: await openSigningKeys({ database, accessTtlSeconds: 900, now: () => new Date() }),
      access: { issuer: "clinic-auth", audience: "clinic-api", ttlSeconds: 900 },
      refreshTtlSeconds: 3600,
      sessionMaxHours: 12,
      // No grace: any reuse is reuse (the grace window has its own tests in tokens.routes.test.ts).
      refreshReuseGraceSeconds: 0,
      now: () => new Date(),
    });
  });
  afterAll(async () => {
    await database?.close();
    await target.drop();
  });

  const rowsOf = (familyId: string) =>
    database.db.selectFrom("refresh_tokens").selectAll().where("family_id", "=", familyId).execute();
  const familyOf = async (token: string) =>
    (
      await database.db
        .selectFrom("refresh_tokens")
        .select("family_id")
        .where("token_hash", "=", sha256(token))
        .executeTakeFirstOrThrow()
    ).family_id;

  it("stores only the SHA-256 of a refresh token, expiring after the configured time", async () => {
    const before = Date.now();
    const { refresh_token } = await tokens.login("pat@example.org", "pw-1");
    const rows = await rowsOf(await familyOf(refresh_token));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(sha256(refresh_token));
    expect(rows[0]?.token_hash).not.toContain(refresh_token);
    expect(rows[0]?.used_at).toBeNull();
    const ttl = (rows[0]?.expires_at.getTime() ?? 0) - before;
    expect(ttl).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(ttl).toBeLessThanOrEqual(3600_000 + 60_000);
  });

  it("rotation marks the old token used and adds the new one to the same family", async () => {
    const first = await tokens.login("pat@example.org", "pw-1");
    const second = await tokens.refresh(first.refresh_token);
    const family = await familyOf(first.refresh_token);
    expect(await familyOf(second.refresh_token)).toBe(family);
    const rows = await rowsOf(family);
    expect(rows.find((r) => r.token_hash === sha256(first.refresh_token))?.used_at).toBeInstanceOf(Date);
    expect(rows.find((r) => r.token_hash === sha256(second.refresh_token))?.used_at).toBeNull();
  });

  it("records why a family was revoked: reuse or logout", async () => {
    const reusedLogin = await tokens.login("pat@example.org", "pw-1");
    await tokens.refresh(reusedLogin.refresh_token);
    await expect(tokens.refresh(reusedLogin.refresh_token)).rejects.toMatchObject({ code: "REFRESH_TOKEN_REUSED" });
    const loggedOut = await tokens.login("pat@example.org", "pw-1");
    await tokens.logout(loggedOut.refresh_token);
    const families = await database.db
      .selectFrom("refresh_token_families")
      .select(["id", "revoked_reason", "revoked_at"])
      .where("id", "in", [await familyOf(reusedLogin.refresh_token), await familyOf(loggedOut.refresh_token)])
      .execute();
    const reasons = Object.fromEntries(families.map((f) => [f.id, f.revoked_reason]));
    expect(reasons[await familyOf(reusedLogin.refresh_token)]).toBe("REUSE_DETECTED");
    expect(reasons[await familyOf(loggedOut.refresh_token)]).toBe("LOGOUT");
    expect(families.every((f) => f.revoked_at instanceof Date)).toBe(true);
  });

  it("two concurrent rotations of one token: one wins, the other is reuse and ends the family", async () => {
    const { refresh_token } = await tokens.login("pat@example.org", "pw-1");
    const results = await Promise.allSettled([tokens.refresh(refresh_token), tokens.refresh(refresh_token)]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: "REFRESH_TOKEN_REUSED" });
    const winner = (won[0] as PromiseFulfilledResult<{ refresh_token: string }>).value;
    await expect(tokens.refresh(winner.refresh_token)).rejects.toMatchObject({ code: "INVALID_REFRESH_TOKEN" });
  });
});
