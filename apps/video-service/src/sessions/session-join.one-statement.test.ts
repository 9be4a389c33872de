import type { JoinSessionBody } from "@clinic/contracts";
import { AppError, type AuthUser, withTransaction } from "@clinic/platform";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Attendee } from "../meetings/media-provider.ts";
import type { Executor, VideoDb, VideoTrx } from "../tables.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { wasAttendeeRemoved } from "./attendee-removals.repository.ts";
import {
  type AttendeeRow,
  closeOpenIntervals,
  insertAttendee,
  joinAttendee,
  listAttendees,
  openInterval,
  reissueAttendee,
  setAttendeeStatus,
} from "./attendees.repository.ts";
import { admittedForMedia } from "./media-credentials.service.ts";
import { refuseIfRemoved } from "./participant-control.service.ts";
import { type JoinRows, recordJoinRows } from "./session-join.service.ts";
import { lockSession, type SessionRow } from "./sessions.repository.ts";

/**
 * A join's rows under the session's row lock, recorded by one statement when nothing is in the
 * new attendee's way (`joinAttendee`), against the same joins made by the separate statements it
 * replaced (`separateStatements` below: the removal and attendees read, the replacements, the
 * admission read, the insert, and the answer's attendee list read after the commit). Two sessions
 * of the same shape go through the same joins at the same instants — a patient's first join
 * (waiting, then admitted), rejoins replacing a live and a LEFT attendee, Chime handing back the
 * person's attendee (also after a removal, issued anew), a removed person with no invite and with
 * an older one (refused), a re-invited one, the doctor's rejoin and first join — and must end
 * with the same rows and answers. PGlite, or PostgreSQL when DATABASE_URL is set.
 */

/** The removal and the person's attendees in one read: the join's read before the fold. */
async function attendeesForJoin(db: Executor, sessionId: string, userId: string, attendeeId: string) {
  const replaceableStatuses: AttendeeRow["status"][] = ["JOINING", "CONNECTED", "LEFT"];
  const { rows } = await sql<AttendeeRow & { removal_at: Date | null }>`
    SELECT (SELECT r.removed_at FROM attendee_removals r
            WHERE r.session_id = ${sessionId} AND r.user_id = ${userId}) AS removal_at, a.*
    FROM (SELECT 1) AS one
    LEFT JOIN attendees a
      ON a.attendee_id = ${attendeeId}
      OR (a.session_id = ${sessionId} AND a.user_id = ${userId} AND a.status = ANY(${replaceableStatuses}::text[]))
    ORDER BY a.attendee_id`.execute(db);
  const removal = rows[0]?.removal_at;
  const found = rows.filter((r) => r.attendee_id !== null).map(({ removal_at: _, ...a }) => a as AttendeeRow);
  return {
    existing: found.find((a) => a.attendee_id === attendeeId),
    replaceable: found.filter(
      (a) => a.session_id === sessionId && a.user_id === userId && replaceableStatuses.includes(a.status),
    ),
    removedAt: removal ? new Date(removal) : undefined,
  };
}

type RecordJoin = (
  trx: VideoTrx,
  locked: SessionRow,
  user: AuthUser,
  created: Attendee,
  body: JoinSessionBody,
  now: Date,
) => Promise<JoinRows>;

/** The join's recording as it was before the fold: one statement per read and write. */
const separateStatements: RecordJoin = async (trx, locked, user, created, body, now) => {
  const sessionId = locked.session_id;
  const { existing, replaceable, removedAt } = await attendeesForJoin(trx, sessionId, user.id, created.attendee_id);
  refuseIfRemoved(removedAt, user);
  const replaced = replaceable.filter((a) => a.attendee_id !== created.attendee_id);
  await setAttendeeStatus(
    trx,
    replaced.map((a) => a.attendee_id),
    "REPLACED",
    now,
  );
  for (const old of replaced) await closeOpenIntervals(trx, { attendee_id: old.attendee_id }, now);
  const admitted = await admittedForMedia(trx, locked, user.id);
  if (existing && existing.session_id === sessionId && existing.user_id === user.id) {
    if (await wasAttendeeRemoved(trx, existing.attendee_id)) await reissueAttendee(trx, existing.attendee_id, now);
    else await setAttendeeStatus(trx, [existing.attendee_id], "JOINING", now, ["LEFT", "REPLACED"]);
  } else {
    const isDoctor = user.role === "DOCTOR";
    await insertAttendee(trx, {
      attendee_id: created.attendee_id,
      session_id: sessionId,
      user_id: user.id,
      user_type: isDoctor ? "DOCTOR" : "PATIENT",
      name: user.name || (isDoctor ? "Doctor" : locked.patient_name),
      status: "JOINING",
      device_info: body.device_info ?? null,
      browser_info: body.browser_info ?? null,
      provider_data: JSON.stringify(created.provider_data ?? null),
      created_at: now,
      updated_at: now,
    });
  }
  // Read after the commit then; nothing commits in between here.
  return { admitted, attendees: [], replaced };
};

const base = Date.parse("2026-11-30T10:00:00Z");
const at = (s: number) => new Date(base + s * 1000);
const invited = (user: AuthUser, issuedAt: Date): AuthUser => ({
  ...user,
  invite: { appointment_id: "appt", invite_id: "inv", issued_at: issuedAt.toISOString() },
});

describe("a join: one statement after the session's lock records what its separate statements recorded", () => {
  let h: Harness;
  let db: VideoDb;
  beforeAll(async () => {
    h = await createHarness({ env: { FREE_TIER_MINUTES: "100000000" } });
    db = h.app.video.database.db;
  }, 180_000);
  afterAll(async () => {
    await h.close();
  });

  /** A started session (the doctor's attendee connected, auto-admit off), the same joins whichever `record`. */
  async function play(record: RecordJoin, tag: string) {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    const doctorAttendee = (body.doctor_attendee as { attendee_id: string }).attendee_id;
    const id = (name: string) => `${tag}-${name}`;
    const nameOf = (attendeeId: string) => (attendeeId === doctorAttendee ? "d1" : attendeeId.replace(`${tag}-`, ""));
    const session = await db
      .selectFrom("sessions")
      .selectAll()
      .where("session_id", "=", sessionId)
      .executeTakeFirstOrThrow();
    // The doctor's attendee connected at 0 s (its interval open), the same in both sessions.
    await db
      .updateTable("attendees")
      .set({ status: "CONNECTED", created_at: at(-10), updated_at: at(0) })
      .where("attendee_id", "=", doctorAttendee)
      .execute();
    await openInterval(db, {
      attendee_id: doctorAttendee,
      session_id: sessionId,
      clinic_id: session.clinic_id,
      user_id: users.doctor.id,
      joined_at: at(0),
    });
    const outcomes: unknown[] = [];
    const step = async (user: AuthUser, name: string, when: number, joinBody: JoinSessionBody = {}) => {
      const created: Attendee = {
        attendee_id: id(name),
        join_token: "t",
        external_user_id: user.id,
        provider_data: { seat: name },
      };
      try {
        const rows = await withTransaction(db, async (trx) => {
          const locked = await lockSession(trx, sessionId);
          if (!locked) throw new Error("no session");
          return record(trx, locked, user, created, joinBody, at(when));
        });
        const attendees = record === separateStatements ? await listAttendees(db, sessionId) : rows.attendees;
        outcomes.push({
          ok: true,
          admitted: rows.admitted,
          replaced: rows.replaced.map((a) => nameOf(a.attendee_id)),
          attendees: attendees.map((a) => [
            nameOf(a.attendee_id),
            a.user_type,
            a.name,
            a.status,
            a.join_time,
            a.leave_time,
          ]),
        });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        outcomes.push({ ok: false, code: err.code });
      }
    };
    const patient = users.patient;
    // A first join: nothing in the way; waiting (auto-admit off, no admission).
    await step(patient, "p1", 10, { device_info: "phone", browser_info: "safari" });
    // Again: the live p1 replaced.
    await step(patient, "p2", 20);
    // Admitted; Chime hands back p2 (still JOINING): the same place, admitted now.
    await db
      .insertInto("session_admissions")
      .values({ session_id: sessionId, user_id: patient.id, admitted_at: at(25), admitted_by: users.doctor.id })
      .execute();
    await step(patient, "p2", 30);
    // p2 LEFT: a rejoin replaces it (its token could reconnect otherwise).
    await setAttendeeStatus(db, [id("p2")], "LEFT", at(35));
    await step(patient, "p3", 40);
    // The doctor removed the patient at 45 s (their attendees LEFT, as a removal does).
    await setAttendeeStatus(db, [id("p3")], "LEFT", at(45));
    await db
      .insertInto("attendee_removals")
      .values({ session_id: sessionId, user_id: patient.id, removed_at: at(45), removed_by: users.doctor.id })
      .execute();
    // No invite, an invite older than the removal, one issued at the removal's instant: refused.
    await step(patient, "p4", 50);
    await step(invited(patient, at(44)), "p4", 51);
    await step(invited(patient, at(45)), "p4", 52);
    // p3 out of the way: a re-invited patient's first join, in one statement.
    await setAttendeeStatus(db, [id("p3")], "REPLACED", at(53));
    await step(invited(patient, at(46)), "p5", 55);
    // Removed again at 60 s (p5 LEFT); re-invited, Chime hands back p5: issued anew.
    await setAttendeeStatus(db, [id("p5")], "LEFT", at(60));
    await db
      .updateTable("attendee_removals")
      .set({ removed_at: at(60) })
      .where("session_id", "=", sessionId)
      .execute();
    await step(invited(patient, at(61)), "p5", 65);
    // The doctor rejoins: the connected d1 replaced, its interval closed.
    await step(users.doctor, "d2", 70);
    // d2 out of the way: the doctor's join in one statement (admitted: the doctor).
    await setAttendeeStatus(db, [id("d2")], "REPLACED", at(75));
    await step(users.doctor, "d3", 80);
    return { outcomes, rows: await rowsOf(sessionId, nameOf) };
  }

  async function rowsOf(sessionId: string, nameOf: (id: string) => string) {
    const attendees = await db
      .selectFrom("attendees")
      .selectAll()
      .where("session_id", "=", sessionId)
      .orderBy("created_at")
      .orderBy("attendee_id")
      .execute();
    const intervals = await db
      .selectFrom("attendance_intervals")
      .select(["attendee_id", "user_id", "joined_at", "left_at"])
      .where("session_id", "=", sessionId)
      .orderBy("id")
      .execute();
    const admissions = await db
      .selectFrom("session_admissions")
      .select(["user_id", "admitted_at", "admitted_by"])
      .where("session_id", "=", sessionId)
      .execute();
    const rollups = await db
      .selectFrom("usage_session_rollups")
      .select(["zone", "month", "attendee_ms"])
      .where("session_id", "=", sessionId)
      .orderBy("zone")
      .orderBy("month")
      .execute();
    return {
      attendees: attendees.map(({ session_id: _, ...a }) => ({ ...a, attendee_id: nameOf(a.attendee_id) })),
      intervals: intervals.map((i) => ({ ...i, attendee_id: nameOf(i.attendee_id) })),
      admissions,
      rollups: rollups.map((r) => ({ ...r, attendee_ms: Number(r.attendee_ms) })),
    };
  }

  it("writes the same rows and answers the same as the separate statements, and what they should be", async () => {
    const separate = await play(separateStatements, "a");
    const folded = await play(recordJoinRows, "b");
    expect(folded.outcomes).toEqual(separate.outcomes);
    expect(folded.rows).toEqual(separate.rows);

    // And what they are, so that both cannot be wrong alike.
    const list = (o: unknown) => (o as { attendees: unknown[][] }).attendees.map((a) => `${a[0]}:${a[3]}`);
    expect(folded.outcomes.map((o) => ({ ...(o as object), attendees: undefined }))).toEqual([
      { ok: true, admitted: false, replaced: [], attendees: undefined },
      { ok: true, admitted: false, replaced: ["p1"], attendees: undefined },
      { ok: true, admitted: true, replaced: [], attendees: undefined },
      { ok: true, admitted: true, replaced: ["p2"], attendees: undefined },
      { ok: false, code: "PARTICIPANT_REMOVED" },
      { ok: false, code: "PARTICIPANT_REMOVED" },
      { ok: false, code: "PARTICIPANT_REMOVED" },
      { ok: true, admitted: true, replaced: [], attendees: undefined },
      { ok: true, admitted: true, replaced: [], attendees: undefined },
      { ok: true, admitted: true, replaced: ["d1"], attendees: undefined },
      { ok: true, admitted: true, replaced: [], attendees: undefined },
    ]);
    expect(list(folded.outcomes[0])).toEqual(["d1:CONNECTED", "p1:JOINING"]);
    expect(list(folded.outcomes[7])).toEqual([
      "d1:CONNECTED",
      "p1:REPLACED",
      "p2:REPLACED",
      "p3:REPLACED",
      "p5:JOINING",
    ]);
    expect(list(folded.outcomes[10])).toEqual([
      "d1:REPLACED",
      "p1:REPLACED",
      "p2:REPLACED",
      "p3:REPLACED",
      "p5:JOINING",
      "d2:REPLACED",
      "d3:JOINING",
    ]);
    // The first join's row as the insert wrote it; p5 issued anew at 65 s; the doctor's interval closed at 70 s.
    const rows = folded.rows.attendees;
    expect(rows.find((a) => a.attendee_id === "p1")).toMatchObject({
      user_id: users.patient.id,
      user_type: "PATIENT",
      status: "REPLACED",
      device_info: "phone",
      browser_info: "safari",
      provider_data: { seat: "p1" },
      created_at: at(10),
      updated_at: at(20),
    });
    expect(rows.find((a) => a.attendee_id === "p5")).toMatchObject({ status: "JOINING", created_at: at(65) });
    expect(rows.find((a) => a.attendee_id === "d3")).toMatchObject({ user_type: "DOCTOR", name: users.doctor.name });
    expect(folded.rows.intervals).toEqual([
      { attendee_id: "d1", user_id: users.doctor.id, joined_at: at(0), left_at: at(70) },
    ]);
  });

  it("inserts nothing for a removed person without a newer invite, nor over an attendee in the way", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    const patient = {
      session_id: sessionId,
      user_id: users.patient.id,
      user_type: "PATIENT" as const,
      name: "Pat",
      device_info: null,
      browser_info: null,
      provider_data: "null",
    };
    const inserted = (trx: VideoTrx, attendeeId: string) =>
      trx.selectFrom("attendees").select("attendee_id").where("attendee_id", "=", attendeeId).execute();
    // Each in a transaction rolled back: the statement's own writes are what is checked.
    const rolledBack = async (fn: (trx: VideoTrx) => Promise<void>) => {
      await withTransaction(db, async (trx) => {
        await fn(trx);
        throw new Error("roll back");
      }).catch((err: Error) => {
        if (err.message !== "roll back") throw err;
      });
    };
    await db
      .insertInto("attendee_removals")
      .values({ session_id: sessionId, user_id: users.patient.id, removed_at: at(45), removed_by: users.doctor.id })
      .execute();
    for (const invitedAt of [null, at(44), at(45)]) {
      await rolledBack(async (trx) => {
        const step = await joinAttendee(trx, { ...patient, attendee_id: "x1" }, at(50), invitedAt);
        expect(step.removedAt).toEqual(at(45));
        expect(step.attendees).toBeUndefined();
        expect(await inserted(trx, "x1")).toEqual([]);
      });
    }
    await rolledBack(async (trx) => {
      const step = await joinAttendee(trx, { ...patient, attendee_id: "x2" }, at(50), at(46));
      expect(step.attendees?.map((a) => a.attendee_id)).toContain("x2");
      expect(await inserted(trx, "x2")).toEqual([{ attendee_id: "x2" }]);
    });
    // A LEFT attendee of the person (no unique index in the way): replaced first, never beside it.
    const left = { ...patient, attendee_id: "x3", status: "LEFT" as const, created_at: at(40), updated_at: at(40) };
    await db.insertInto("attendees").values(left).execute();
    await rolledBack(async (trx) => {
      const step = await joinAttendee(trx, { ...patient, attendee_id: "x4" }, at(50), at(46));
      expect(step.attendees).toBeUndefined();
      expect(step.replaceable.map((a) => a.attendee_id)).toEqual(["x3"]);
      expect(await inserted(trx, "x4")).toEqual([]);
    });
  });

  it("records concurrent joins of one person one after the other: one live attendee, each answer with its own", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    await h.autoAdmit(sessionId);
    expect((await h.consent(sessionId)).statusCode).toBe(200);
    const headers = await h.auth(users.patient);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        h.app.inject({ method: "POST", url: `/api/video/sessions/${sessionId}/join`, headers, payload: {} }),
      ),
    );
    const mine = answers.map((r) => {
      expect(r.statusCode, r.body).toBe(200);
      const answer = r.json() as { attendee: { attendee_id: string }; attendees: { attendee_id: string }[] };
      expect(answer.attendees.map((a) => a.attendee_id)).toContain(answer.attendee.attendee_id);
      return answer.attendee.attendee_id;
    });
    const rows = await db
      .selectFrom("attendees")
      .select(["attendee_id", "status"])
      .where("session_id", "=", sessionId)
      .where("user_id", "=", users.patient.id)
      .execute();
    expect(rows.map((a) => a.attendee_id).sort()).toEqual([...mine].sort());
    expect(rows.filter((a) => a.status === "JOINING")).toHaveLength(1);
    expect(rows.filter((a) => a.status === "REPLACED")).toHaveLength(3);
  });
});
