import type { AuthUser } from "@clinic/platform";
import { testPeople } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/**
 * GET /sessions' `total` comes from counter rows a trigger keeps (migration
 * 2026-12-04-070-session-counts.sql), not from counting the sessions: it must equal a real
 * count right after every insert, status change and delete, per doctor, per clinic and per status.
 */
describe("the list's total (session_counts)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const statuses = [undefined, "CREATED", "IN_PROGRESS", "COMPLETED", "CANCELLED"] as const;

  const totalOf = async (user: AuthUser, status?: string) => {
    const response = await h.app.inject({
      method: "GET",
      url: `/api/video/sessions?limit=1${status ? `&status=${status}` : ""}`,
      // Signed here, not h.auth: the harness keeps one token per user id, and doc-ada is in two clinics.
      headers: { authorization: `Bearer ${await h.tokens.sign(user)}` },
    });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { total: number }).total;
  };

  /** The same question asked of the sessions themselves. */
  const countOf = async (user: AuthUser, status?: string) => {
    const row = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM sessions
      WHERE clinic_id = ${user.clinic_id}
        AND (${user.role !== "DOCTOR"} OR doctor_id = ${user.id})
        AND (${status ?? null}::text IS NULL OR status = ${status ?? null})
    `.execute(h.app.video.database.db);
    return Number(row.rows[0]?.n);
  };

  const expectTotalsRight = async () => {
    for (const user of [
      users.doctor,
      users.otherDoctor,
      users.admin,
      testPeople.otherClinicDoctor,
      users.foreignAdmin,
    ]) {
      for (const status of statuses) {
        expect(await totalOf(user, status), `${user.id}@${user.clinic_id} ${status ?? "all"}`).toBe(
          await countOf(user, status),
        );
      }
    }
  };

  it("is right after inserts, status changes and deletes, for doctors, admins and status filters", async () => {
    await expectTotalsRight();

    // Inserts (appointment.booked), for two doctors of clinic-1 and the same doctor id in clinic-2.
    const booked = [];
    for (let i = 0; i < 3; i++) booked.push(await h.bookedSession());
    await h.bookedSession({ doctor_id: users.otherDoctor.id, doctor_name: users.otherDoctor.name });
    await h.bookedSession({ clinic_id: "clinic-2" });
    expect(await totalOf(users.doctor)).toBe(3);
    expect(await totalOf(users.admin)).toBe(4);
    await expectTotalsRight();

    // Status changes: start (CREATED → IN_PROGRESS), end (→ COMPLETED), cancel (→ CANCELLED).
    const [first, second, third] = booked;
    if (!first || !second || !third) throw new Error("three bookings expected");
    const started = await h.start(first.appointment.id);
    expect(started.statusCode, started.body).toBe(200);
    expect(await totalOf(users.doctor, "IN_PROGRESS")).toBe(1);
    await expectTotalsRight();
    expect((await h.end(first.sessionId)).statusCode).toBe(200);
    await h.cancelAppointment(second.appointment.id);
    expect(await totalOf(users.doctor, "COMPLETED")).toBe(1);
    expect(await totalOf(users.doctor, "CANCELLED")).toBe(1);
    expect(await totalOf(users.doctor, "CREATED")).toBe(1);
    await expectTotalsRight();

    // Deletes (the service never deletes a session; an operator's cleanup may): the counts follow.
    await h.app.video.database.db.deleteFrom("sessions").where("session_id", "=", third.sessionId).execute();
    expect(await totalOf(users.doctor)).toBe(2);
    expect(await totalOf(users.doctor, "CREATED")).toBe(0);
    await expectTotalsRight();

    // A change that rolls back leaves the counts as they were.
    await h.app.video.database.db
      .transaction()
      .execute(async (trx) => {
        await trx.deleteFrom("sessions").where("session_id", "=", second.sessionId).execute();
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    expect(await totalOf(users.doctor)).toBe(2);
    await expectTotalsRight();
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "counts a change made from a connection with another search_path (an operator naming the schema)",
    async () => {
      const { sessionId } = await h.bookedSession();
      const before = await totalOf(users.doctor);
      const schema = h.database.options.schema as string;
      const { default: pg } = await import("pg");
      const operator = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await operator.connect();
      try {
        await operator.query(`DELETE FROM ${pg.escapeIdentifier(schema)}.sessions WHERE session_id = $1`, [sessionId]);
      } finally {
        await operator.end();
      }
      expect(await totalOf(users.doctor)).toBe(before - 1);
      await expectTotalsRight();
    },
  );
});
