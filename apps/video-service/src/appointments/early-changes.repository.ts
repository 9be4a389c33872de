import { sql } from "kysely";
import type { AppointmentEarlyChangesTable, VideoTrx } from "../tables.ts";

export type EarlyChanges = AppointmentEarlyChangesTable;

/**
 * Serialises whatever creates or changes one appointment's session: the appointment events
 * and the start's reservation. A cancellation handled while its booked event is handled
 * elsewhere (another consumer, another replica) must see the other's result, which row locks
 * cannot give while neither row exists yet. Released at commit.
 */
export async function lockAppointment(trx: VideoTrx, appointmentId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`video-session-of:${appointmentId}`}))`.execute(trx);
}

/** `appointment.cancelled` for an appointment with no session yet: kept for its booked event. */
export async function recordEarlyCancellation(
  trx: VideoTrx,
  change: { appointment_id: string; clinic_id: string; cancelled_at: Date },
  at: Date,
): Promise<void> {
  await trx
    .insertInto("appointment_early_changes")
    .values({ ...change, scheduled_start: null, scheduled_duration_minutes: null, recorded_at: at })
    .onConflict((oc) =>
      oc
        .column("appointment_id")
        .doUpdateSet({ cancelled_at: change.cancelled_at, recorded_at: at })
        .where("appointment_early_changes.clinic_id", "=", change.clinic_id),
    )
    .execute();
}

/** `appointment.rescheduled` for an appointment with no session yet (the latest handled wins). */
export async function recordEarlyReschedule(
  trx: VideoTrx,
  change: { appointment_id: string; clinic_id: string; start: Date; duration_minutes: number },
  at: Date,
): Promise<void> {
  const schedule = { scheduled_start: change.start, scheduled_duration_minutes: change.duration_minutes };
  await trx
    .insertInto("appointment_early_changes")
    .values({
      appointment_id: change.appointment_id,
      clinic_id: change.clinic_id,
      cancelled_at: null,
      ...schedule,
      recorded_at: at,
    })
    .onConflict((oc) =>
      oc
        .column("appointment_id")
        .doUpdateSet({ ...schedule, recorded_at: at })
        .where("appointment_early_changes.clinic_id", "=", change.clinic_id),
    )
    .execute();
}

/** What was recorded for the appointment, removed: the caller is creating its session now. */
export async function takeEarlyChanges(trx: VideoTrx, appointmentId: string): Promise<EarlyChanges | undefined> {
  return trx
    .deleteFrom("appointment_early_changes")
    .where("appointment_id", "=", appointmentId)
    .returningAll()
    .executeTakeFirst();
}
