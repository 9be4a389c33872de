import type { Executor, VideoDb } from "../tables.ts";
import type { AttendanceInterval, MonthBounds } from "./usage-calculator.ts";

/**
 * How far before a month's start a closed interval counting in it may have joined. Stored
 * intervals never cross a UTC midnight (they are split when closed), and a month of any time
 * zone begins within 14 hours of a UTC midnight: an interval overlapping the month joined at
 * most one day before its start.
 */
const lookBackMs = 86_400_000;

/**
 * The clinic's attendance intervals that count in a month (of the clinic's time zone): the
 * direct computation the usage rollups must equal (usage.rollups.test.ts compares them; the
 * endpoints read the rollups, usage-rollups.repository.ts). Closed
 * ones are a range scan on the (clinic_id, joined_at) index, from a day before the month;
 * still-open ones come from the partial index on open rows. The interval carries its user,
 * so no join to attendees is needed. Parts outside the month are clipped by `summarize`.
 */
export function intervalsForMonthQuery(db: Executor, clinicId: string, bounds: MonthBounds) {
  const base = db
    .selectFrom("attendance_intervals as i")
    .select(["i.session_id", "i.attendee_id", "i.user_id", "i.joined_at", "i.left_at"])
    .where("i.clinic_id", "=", clinicId);
  return base
    .where("i.joined_at", ">=", new Date(bounds.start.getTime() - lookBackMs))
    .where("i.joined_at", "<", bounds.end)
    .where("i.left_at", ">", bounds.start)
    .unionAll(base.where("i.left_at", "is", null).where("i.joined_at", "<", bounds.end));
}

export async function intervalsForMonth(
  db: VideoDb,
  clinicId: string,
  bounds: MonthBounds,
): Promise<AttendanceInterval[]> {
  const rows = await intervalsForMonthQuery(db, clinicId, bounds).execute();
  return rows.map((r) => ({
    session_id: r.session_id,
    attendee_id: r.attendee_id,
    user_id: r.user_id,
    joined_at: new Date(r.joined_at),
    left_at: r.left_at ? new Date(r.left_at) : null,
  }));
}

/** Sessions by id, in batches: PostgreSQL binds at most 65,535 parameters per statement. */
export async function sessionsByIds(db: VideoDb, ids: string[]) {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 10_000) batches.push(ids.slice(i, i + 10_000));
  const rows = await Promise.all(
    batches.map((batch) =>
      db
        .selectFrom("sessions")
        .select(["session_id", "doctor_id", "patient_name", "start_time", "end_time"])
        .where("session_id", "in", batch)
        .execute(),
    ),
  );
  return rows.flat();
}
