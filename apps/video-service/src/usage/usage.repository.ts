import type { Executor, VideoDb } from "../tables.ts";
import type { AttendanceInterval, MonthBounds } from "./usage-calculator.ts";

/**
 * The clinic's attendance intervals that count in a month. Stored intervals never cross a
 * month boundary (they are split when closed), so closed ones are a range scan on the
 * (clinic_id, joined_at) index; still-open ones come from the partial index on open rows.
 */
export function intervalsForMonthQuery(db: Executor, clinicId: string, bounds: MonthBounds) {
  const base = db
    .selectFrom("attendance_intervals as i")
    .innerJoin("attendees as a", "a.attendee_id", "i.attendee_id")
    .select(["i.session_id", "i.attendee_id", "a.user_id", "i.joined_at", "i.left_at"])
    .where("i.clinic_id", "=", clinicId);
  return base
    .where("i.joined_at", ">=", bounds.start)
    .where("i.joined_at", "<", bounds.end)
    .where("i.left_at", "is not", null)
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

export async function sessionsByIds(db: VideoDb, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("sessions")
    .select(["session_id", "patient_name", "start_time", "end_time"])
    .where("session_id", "in", ids)
    .execute();
}
