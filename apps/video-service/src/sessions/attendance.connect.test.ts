import { SignalCloseCodes } from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditRows } from "../audit/audit.repository.ts";
import type { JoinTokenClaims } from "../meetings/embedded/join-tokens.ts";
import { allowedConnectRow } from "../signalling/connect-audit.ts";
import type { Executor, VideoDb } from "../tables.ts";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";
import { type ConnectResult, recordConnect } from "./attendance.service.ts";
import { type AttendeeRow, closeOpenIntervals, openInterval, setAttendeeStatus } from "./attendees.repository.ts";
import { lockSession, touchSessionActivity } from "./sessions.repository.ts";
import { admit, findAdmission } from "./waiting-room.repository.ts";

/**
 * A signalling connect's rows, written by one statement after the session's row lock
 * (`connectAttendee`), against the same connects made by the separate statements it replaced
 * (`separateStatements` below: the attendee read, the interval closed, the status, the interval
 * opened, the session's activity, the admission read and auto-admit, the audit row). Two
 * sessions of the same shape go through the same connects at the same instants — first
 * connects, the waiting room, auto-admit, reconnects with the same token (across a UTC
 * midnight: the closed interval split, the usage rollups added), a removed person, a replaced
 * attendee, a stranger's token — and must end with the same rows. PGlite, or PostgreSQL when
 * DATABASE_URL is set.
 */

type AllowedAudit = (clinicId: string) => ReturnType<typeof allowedConnectRow>;

/** The attendee with `wasAttendeeRemoved`'s answer, in one read: the connect's first read before the fold. */
async function findAttendeeAndRemoval(
  db: Executor,
  attendeeId: string,
): Promise<{ attendee: AttendeeRow; removed: boolean } | undefined> {
  const row = await db
    .selectFrom("attendees as a")
    .leftJoin("attendee_removals as r", (join) =>
      join.onRef("r.session_id", "=", "a.session_id").onRef("r.user_id", "=", "a.user_id"),
    )
    .selectAll("a")
    .select(sql<boolean>`coalesce(a.created_at <= r.removed_at, false)`.as("removed_before"))
    .where("a.attendee_id", "=", attendeeId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { removed_before, ...attendee } = row;
  return { attendee, removed: removed_before === true };
}

/** The connect as it was before the fold: one statement per read and write. */
async function separateStatements(
  db: VideoDb,
  claims: JoinTokenClaims,
  at: Date,
  allowedAudit: AllowedAudit,
): Promise<ConnectResult> {
  return withTransaction(db, async (trx) => {
    const session = await lockSession(trx, claims.session_id);
    if (!session) return { ok: false, closeCode: SignalCloseCodes.sessionNotFound, reason: "", clinicId: null };
    const refuse = (closeCode: number): ConnectResult => ({
      ok: false,
      closeCode,
      reason: "",
      clinicId: session.clinic_id,
    });
    if (session.status !== "IN_PROGRESS") return refuse(SignalCloseCodes.sessionEnded);
    if (session.meeting_id !== claims.meeting_id) return refuse(SignalCloseCodes.forbidden);
    const found = await findAttendeeAndRemoval(trx, claims.attendee_id);
    const attendee = found?.attendee;
    if (!attendee || attendee.session_id !== claims.session_id || attendee.user_id !== claims.user_id) {
      return refuse(SignalCloseCodes.forbidden);
    }
    if (attendee.status === "REPLACED") return refuse(SignalCloseCodes.replaced);
    if (found.removed) return refuse(SignalCloseCodes.removed);
    await closeOpenIntervals(trx, { attendee_id: attendee.attendee_id }, at);
    await setAttendeeStatus(trx, [attendee.attendee_id], "CONNECTED", at);
    const intervalId = await openInterval(trx, {
      attendee_id: attendee.attendee_id,
      session_id: session.session_id,
      clinic_id: session.clinic_id,
      user_id: attendee.user_id,
      joined_at: at,
    });
    await touchSessionActivity(trx, session.session_id, at);
    let admitted = true;
    if (attendee.user_type !== "DOCTOR" && !(await findAdmission(trx, session.session_id, attendee.user_id))) {
      admitted = session.auto_admit;
      if (admitted) {
        await admit(trx, {
          session_id: session.session_id,
          user_id: attendee.user_id,
          admitted_at: at,
          admitted_by: "auto",
        });
      }
    }
    await appendAuditRows(trx, [{ ...allowedAudit(session.clinic_id), actor_role: attendee.user_type }]);
    return {
      ok: true,
      attendee: { ...attendee, status: "CONNECTED" },
      clinicId: session.clinic_id,
      intervalId,
      presenceOnly: session.media_provider === "chime",
      admitted,
    };
  });
}

type Connect = (db: VideoDb, claims: JoinTokenClaims, at: Date, allowedAudit: AllowedAudit) => Promise<ConnectResult>;

const day = 86_400_000;
/** A UTC midnight: the patient's first interval crosses it before the reconnect closes it. */
const midnight = Date.parse("2026-11-30T00:00:00Z");
const at = (ms: number) => new Date(midnight + ms);

describe("a signalling connect: one statement after the session's lock writes the rows its separate statements wrote", () => {
  let h: Harness;
  let db: VideoDb;
  beforeAll(async () => {
    // The sessions' intervals stay open (counted up to now): the free tier is not this test's.
    h = await createHarness({ env: { FREE_TIER_MINUTES: "100000000" } });
    db = h.app.video.database.db;
  }, 180_000);
  afterAll(async () => {
    await h.close();
  });

  /** A started session whose patient waits (auto-admit off), the same steps whichever `connect`. */
  async function play(connect: Connect) {
    const m = await h.meeting({ waitingRoom: true });
    const session = await db
      .selectFrom("sessions")
      .select(["meeting_id", "clinic_id"])
      .where("session_id", "=", m.sessionId)
      .executeTakeFirstOrThrow();
    const attendees = await db
      .selectFrom("attendees")
      .select(["attendee_id", "user_id", "user_type"])
      .where("session_id", "=", m.sessionId)
      .execute();
    const doctor = attendees.find((a) => a.user_type === "DOCTOR")!;
    const patient = attendees.find((a) => a.user_type === "PATIENT")!;
    const claimsOf = (a: { attendee_id: string; user_id: string }, userId = a.user_id): JoinTokenClaims => ({
      attendee_id: a.attendee_id,
      meeting_id: session.meeting_id!,
      session_id: m.sessionId,
      user_id: userId,
    });
    // Not counted per call: the row depends on the connect alone, however often it is built.
    const auditOf =
      (claims: JoinTokenClaims, when: Date): AllowedAudit =>
      (clinicId) =>
        allowedConnectRow(
          {
            sessionId: m.sessionId,
            requestId: `req-${when.getTime() - midnight}`,
            clientAddress: "127.0.0.9",
            userId: claims.user_id,
          },
          clinicId,
        );
    const outcomes: unknown[] = [];
    const step = async (claims: JoinTokenClaims, when: Date) => {
      const result = await connect(db, claims, when, auditOf(claims, when));
      outcomes.push(
        result.ok
          ? { ok: true, role: result.attendee.user_type, status: result.attendee.status, admitted: result.admitted }
          : { ok: false, closeCode: result.closeCode, clinic: result.clinicId === session.clinic_id },
      );
    };
    // Before midnight: the doctor, then the patient (waits: auto-admit is off, no admission).
    await step(claimsOf(doctor), at(-120_000));
    await step(claimsOf(patient), at(-60_000));
    // Auto-admit turned on: the patient's reconnect with the same token closes its interval
    // across midnight (split, rolled up) and is admitted now ('auto').
    await db.updateTable("sessions").set({ auto_admit: true }).where("session_id", "=", m.sessionId).execute();
    await step(claimsOf(patient), at(90_000));
    // Again: admitted by the row on record, nothing admitted anew.
    await step(claimsOf(patient), at(150_000));
    // The doctor reconnects with the same token.
    await step(claimsOf(doctor), at(200_000));
    // The patient's interval closes (as their removal below closes it), so no open interval is in
    // the way of the refusals that follow: a stranger's claims on their attendee, then the
    // patient after the doctor removed them (the attendee issued before): nothing written.
    await withTransaction(db, (trx) => closeOpenIntervals(trx, { attendee_id: patient.attendee_id }, at(205_000)));
    await step(claimsOf(patient, "someone-else"), at(210_000));
    await db
      .insertInto("attendee_removals")
      .values({
        session_id: m.sessionId,
        user_id: patient.user_id,
        removed_at: new Date(Date.now() + day),
        removed_by: doctor.user_id,
      })
      .execute();
    await step(claimsOf(patient), at(220_000));
    // A replaced attendee (a newer join of the person closed its interval): refused, nothing written.
    await withTransaction(db, (trx) => closeOpenIntervals(trx, { attendee_id: doctor.attendee_id }, at(225_000)));
    await db
      .updateTable("attendees")
      .set({ status: "REPLACED" })
      .where("attendee_id", "=", doctor.attendee_id)
      .execute();
    await step(claimsOf(doctor), at(230_000));
    await db
      .updateTable("attendees")
      .set({ status: "CONNECTED" })
      .where("attendee_id", "=", doctor.attendee_id)
      .execute();
    // Another meeting's token: refused before the attendee is read.
    await step({ ...claimsOf(doctor), meeting_id: "another-meeting" }, at(240_000));
    return {
      outcomes,
      rows: await rowsOf(m.sessionId, { [doctor.attendee_id]: "doctor", [patient.attendee_id]: "patient" }),
    };
  }

  /** The session's rows, its ids and the doctor's/patient's attendee ids named by role. */
  async function rowsOf(sessionId: string, names: Record<string, string>) {
    const name = (id: string) => names[id] ?? id;
    const attendees = await db
      .selectFrom("attendees")
      .select(["attendee_id", "status", "updated_at"])
      .where("session_id", "=", sessionId)
      .orderBy("user_type")
      .execute();
    const intervals = await db
      .selectFrom("attendance_intervals")
      .select(["attendee_id", "clinic_id", "user_id", "joined_at", "left_at", "last_seen_at"])
      .where("session_id", "=", sessionId)
      .orderBy("id")
      .execute();
    const sessions = await db
      .selectFrom("sessions")
      .select(["status", "last_activity_at", "auto_admit"])
      .where("session_id", "=", sessionId)
      .execute();
    const admissions = await db
      .selectFrom("session_admissions")
      .select(["user_id", "admitted_at", "admitted_by"])
      .where("session_id", "=", sessionId)
      .execute();
    const audit = await db
      .selectFrom("audit_log")
      .select(["actor_id", "actor_role", "clinic_id", "outcome", "appointment_id", "request_id", "client_address"])
      .where("session_id", "=", sessionId)
      .where("action", "=", "session.signal.connect")
      .orderBy("id")
      .execute();
    const rollups = await db
      .selectFrom("usage_session_rollups")
      .select(["zone", "month", "clinic_id", "doctor_id", "attendee_ms"])
      .where("session_id", "=", sessionId)
      .orderBy("zone")
      .orderBy("month")
      .execute();
    const people = await db
      .selectFrom("usage_session_people")
      .select(["zone", "month", "user_id"])
      .where("session_id", "=", sessionId)
      .orderBy("zone")
      .orderBy("month")
      .orderBy("user_id")
      .execute();
    return {
      attendees: attendees.map((a) => ({ ...a, attendee_id: name(a.attendee_id) })),
      intervals: intervals.map((i) => ({ ...i, attendee_id: name(i.attendee_id) })),
      sessions,
      admissions,
      audit,
      rollups: rollups.map((r) => ({ ...r, attendee_ms: Number(r.attendee_ms) })),
      people,
    };
  }

  it("writes the same rows and answers the same as the separate statements, and what they should be", async () => {
    const separate = await play(separateStatements);
    const folded = await play((d, claims, when, allowedAudit) => recordConnect(d, claims, when, allowedAudit));
    expect(folded.outcomes).toEqual(separate.outcomes);
    expect(folded.rows).toEqual(separate.rows);

    // And what those rows are, so that both cannot be wrong alike.
    const rows = folded.rows;
    expect(folded.outcomes).toEqual([
      { ok: true, role: "DOCTOR", status: "CONNECTED", admitted: true },
      { ok: true, role: "PATIENT", status: "CONNECTED", admitted: false },
      { ok: true, role: "PATIENT", status: "CONNECTED", admitted: true },
      { ok: true, role: "PATIENT", status: "CONNECTED", admitted: true },
      { ok: true, role: "DOCTOR", status: "CONNECTED", admitted: true },
      { ok: false, closeCode: SignalCloseCodes.forbidden, clinic: true },
      { ok: false, closeCode: SignalCloseCodes.removed, clinic: true },
      { ok: false, closeCode: SignalCloseCodes.replaced, clinic: true },
      { ok: false, closeCode: SignalCloseCodes.forbidden, clinic: true },
    ]);
    expect(rows.attendees.map((a) => [a.attendee_id, a.status, a.updated_at])).toEqual([
      ["doctor", "CONNECTED", at(200_000)],
      ["patient", "CONNECTED", at(150_000)],
    ]);
    // The patient's first interval was split at midnight by the reconnect's close.
    expect(rows.intervals.map((i) => [i.attendee_id, i.joined_at, i.left_at, i.last_seen_at])).toEqual([
      ["doctor", at(-120_000), at(0), at(-120_000)],
      ["patient", at(-60_000), at(0), at(-60_000)],
      ["patient", at(0), at(90_000), at(90_000)],
      ["patient", at(90_000), at(150_000), at(90_000)],
      ["patient", at(150_000), at(205_000), at(150_000)],
      ["doctor", at(0), at(200_000), at(200_000)],
      ["doctor", at(200_000), at(225_000), at(200_000)],
    ]);
    expect(rows.sessions).toEqual([{ status: "IN_PROGRESS", last_activity_at: at(200_000), auto_admit: true }]);
    expect(rows.admissions).toEqual([{ user_id: expect.any(String), admitted_at: at(90_000), admitted_by: "auto" }]);
    expect(rows.audit.map((a) => [a.actor_role, a.outcome, a.request_id, a.client_address])).toEqual([
      ["DOCTOR", "ALLOWED", "req--120000", "127.0.0.9"],
      ["PATIENT", "ALLOWED", "req--60000", "127.0.0.9"],
      ["PATIENT", "ALLOWED", "req-90000", "127.0.0.9"],
      ["PATIENT", "ALLOWED", "req-150000", "127.0.0.9"],
      ["DOCTOR", "ALLOWED", "req-200000", "127.0.0.9"],
    ]);
    // The closed time rolled up: doctor 120 + 200 + 25 s, patient 60 + 90 + 60 + 55 s, in every zone.
    const zones = [...new Set(rows.rollups.map((r) => r.zone))];
    expect(zones.length).toBeGreaterThan(0);
    for (const zone of zones) {
      const ms = rows.rollups.filter((r) => r.zone === zone).reduce((sum, r) => sum + r.attendee_ms, 0);
      expect(ms).toBe(610_000);
    }
  });
});
