import { whileLockHeld } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../tables.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/**
 * PUT /sessions/{id}/waiting-room (`updateWaitingRoom`): one statement, its own commit, carrying
 * the doctor's access row when nobody waits; whoever waits is admitted under the session's lock,
 * read after it was granted (bench Findings 21 and 38).
 */
describe("the waiting room's auto-admit", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const put = async (sessionId: string, on: boolean) =>
    h.app.inject({
      method: "PUT",
      url: `/api/video/sessions/${sessionId}/waiting-room`,
      headers: await h.auth(users.doctor),
      payload: { auto_admit: on },
    });
  const accessRows = async (sessionId: string) =>
    (await h.auditRows("session.updateWaitingRoom", sessionId)).map((r) => `${r.actor_id} ${r.outcome}`);
  const admissions = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("session_admissions")
      .select("user_id")
      .where("session_id", "=", sessionId)
      .execute();

  it("answers and admits the patients waiting, not those admitted already, with one access row per request", async () => {
    const m = await h.meeting({ waitingRoom: true });
    const off = await put(m.sessionId, false);
    expect(off.json()).toEqual({ session_id: m.sessionId, auto_admit: false, admitted_attendee_ids: [] });
    const on = await put(m.sessionId, true);
    expect(on.json()).toEqual({
      session_id: m.sessionId,
      auto_admit: true,
      admitted_attendee_ids: [m.patient.attendee_id],
    });
    expect(await admissions(m.sessionId)).toEqual([{ user_id: users.patient.id }]);
    // Admitted now: turning it off and on again admits nobody.
    expect((await put(m.sessionId, false)).json().admitted_attendee_ids).toEqual([]);
    expect((await put(m.sessionId, true)).json().admitted_attendee_ids).toEqual([]);
    expect((await h.end(m.sessionId)).statusCode).toBe(200);
    const ended = await put(m.sessionId, true);
    expect(ended.statusCode).toBe(409);
    expect(ended.json()).toMatchObject({ code: "SESSION_ALREADY_ENDED" });
    expect(await accessRows(m.sessionId)).toEqual(Array(5).fill(`${users.doctor.id} ALLOWED`));
  });

  it("writes the access row on its own when the change's statement fails", async () => {
    const m = await h.meeting({ waitingRoom: true });
    const db = h.app.video.database.db;
    // Scratch database: a trigger refusing this session's updates makes the statement fail.
    await sql
      .raw(
        "CREATE FUNCTION refuse_waiting_room_test() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
          "RAISE EXCEPTION 'refused by the test'; END $$",
      )
      .execute(db);
    await sql
      .raw(
        "CREATE TRIGGER refuse_waiting_room_test BEFORE UPDATE ON sessions FOR EACH ROW " +
          `WHEN (OLD.session_id = '${m.sessionId}') EXECUTE FUNCTION refuse_waiting_room_test()`,
      )
      .execute(db);
    try {
      for (const on of [false, true]) expect((await put(m.sessionId, on)).statusCode).toBe(500);
    } finally {
      await sql.raw("DROP TRIGGER refuse_waiting_room_test ON sessions").execute(db);
    }
    expect(await accessRows(m.sessionId)).toEqual(Array(2).fill(`${users.doctor.id} ALLOWED`));
    expect(await admissions(m.sessionId)).toEqual([]);
  });
});

/** What committed while the change waited for the session's lock decides who is admitted. PostgreSQL only (real concurrency). */
describe.skipIf(!process.env.DATABASE_URL)("auto-admit turned on while the session's lock is held", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** `change` in a transaction holding the session's row lock (as a connect or a removal does) while the PUT waits. */
  async function turnOnWhileLocked(sessionId: string, change: (trx: Executor) => Promise<void>) {
    const headers = await h.auth(users.doctor);
    const response = await whileLockHeld(h.app.video.database.db, {
      hold: async (trx) => {
        await sql`SELECT 1 FROM sessions WHERE session_id = ${sessionId} FOR UPDATE`.execute(trx);
        await change(trx);
      },
      request: () =>
        h.app.inject({
          method: "PUT",
          url: `/api/video/sessions/${sessionId}/waiting-room`,
          headers,
          payload: { auto_admit: true },
        }),
      never: "the change never waited for the session's lock",
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().admitted_attendee_ids;
  }
  const setStatus = (attendeeId: string, status: string) => async (trx: Executor) => {
    await sql`UPDATE attendees SET status = ${status} WHERE attendee_id = ${attendeeId}`.execute(trx);
    // The session row changed too, as a connect's activity does (the update re-checks that row).
    await sql`UPDATE sessions SET updated_at = now() WHERE session_id = (SELECT session_id FROM attendees WHERE attendee_id = ${attendeeId})`.execute(
      trx,
    );
  };
  const admitted = async (sessionId: string) =>
    (
      await h.app.video.database.db
        .selectFrom("session_admissions")
        .select("user_id")
        .where("session_id", "=", sessionId)
        .execute()
    ).map((r) => r.user_id);

  it("admits a patient whose attendee became live while it waited (not in the statement's snapshot)", async () => {
    const m = await h.meeting({ waitingRoom: true });
    await setStatus(m.patient.attendee_id, "LEFT")(h.app.video.database.db);
    const ids = await turnOnWhileLocked(m.sessionId, setStatus(m.patient.attendee_id, "JOINING"));
    expect(ids).toEqual([m.patient.attendee_id]);
    expect(await admitted(m.sessionId)).toEqual([users.patient.id]);
    expect(await h.auditRows("session.updateWaitingRoom", m.sessionId)).toHaveLength(1);
  });

  it("does not admit a patient removed while it waited (in the statement's snapshot, waiting)", async () => {
    const m = await h.meeting({ waitingRoom: true });
    const ids = await turnOnWhileLocked(m.sessionId, setStatus(m.patient.attendee_id, "LEFT"));
    expect(ids).toEqual([]);
    expect(await admitted(m.sessionId)).toEqual([]);
    expect(await h.auditRows("session.updateWaitingRoom", m.sessionId)).toHaveLength(1);
  });
});
