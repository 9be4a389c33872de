import { whileLockHeld } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { recordRemoval } from "./attendee-removals.repository.ts";

/**
 * A join reads the person's removal and attendees in one statement after it took the session's
 * row lock (`joinAttendee`): what committed while it waited for the lock must hold. Real
 * concurrency, so PostgreSQL only (PGlite runs one statement at a time).
 */
describe.skipIf(!process.env.DATABASE_URL)("a join that waited for the session's lock", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it("is refused by a removal that committed while it waited, and records no attendee", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    await h.autoAdmit(sessionId);
    expect((await h.consent(sessionId)).statusCode).toBe(200);
    const db = h.app.video.database.db;

    // The doctor's removal, holding the session's row lock as a removal does, not committed yet.
    const headers = await h.auth(users.patient);
    const response = await whileLockHeld(db, {
      hold: async (removal) => {
        await sql`SELECT 1 FROM sessions WHERE session_id = ${sessionId} FOR UPDATE`.execute(removal);
        await recordRemoval(removal, {
          session_id: sessionId,
          user_id: users.patient.id,
          removed_at: h.clock.now,
          removed_by: users.doctor.id,
        });
      },
      request: () =>
        h.app.inject({ method: "POST", url: `/api/video/sessions/${sessionId}/join`, headers, payload: {} }),
      // Until the join's statement waits for the removal's transaction.
      never: "the join never waited for the session's lock",
    });
    expect(response.statusCode, response.body).toBe(403);
    expect(response.json()).toMatchObject({ code: "PARTICIPANT_REMOVED" });
    const patientAttendees = await db
      .selectFrom("attendees")
      .select("attendee_id")
      .where("session_id", "=", sessionId)
      .where("user_id", "=", users.patient.id)
      .execute();
    expect(patientAttendees).toEqual([]);
  });
});
