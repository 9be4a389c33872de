import { sql } from "kysely";
import type { AppointmentEarlyChangesTable, VideoDb, VideoTrx } from "../tables.ts";

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
    .values({
      ...change,
      scheduled_start: null,
      scheduled_duration_minutes: null,
      rescheduled_event_time: null,
      recorded_at: at,
    })
    .onConflict((oc) =>
      oc
        .column("appointment_id")
        .doUpdateSet({ cancelled_at: change.cancelled_at, recorded_at: at })
        .where("appointment_early_changes.clinic_id", "=", change.clinic_id),
    )
    .execute();
}

/**
 * `appointment.rescheduled` for an appointment with no session yet. Of several, the one with
 * the latest event time (`eventTime`, the CloudEvent's `time`) is kept, whichever was handled
 * last: redeliveries and replicas handle them in any order. One without a time loses to one with.
 */
export async function recordEarlyReschedule(
  trx: VideoTrx,
  change: { appointment_id: string; clinic_id: string; start: Date; duration_minutes: number; eventTime: Date | null },
  at: Date,
): Promise<void> {
  const schedule = {
    scheduled_start: change.start,
    scheduled_duration_minutes: change.duration_minutes,
    rescheduled_event_time: change.eventTime,
  };
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
        .where("appointment_early_changes.clinic_id", "=", change.clinic_id)
        .where((eb) =>
          eb.or([
            eb("appointment_early_changes.rescheduled_event_time", "is", null),
            eb("appointment_early_changes.rescheduled_event_time", "<=", eb.ref("excluded.rescheduled_event_time")),
          ]),
        ),
    )
    .execute();
}

/**
 * Deletes early changes recorded before `before` (`recorded_at`), in batches, and returns how
 * many: those of appointments without video, whose booked event creates no session to take
 * them. A booked event of a video appointment comes minutes after its changes, not days.
 */
export async function purgeEarlyChanges(
  db: VideoDb,
  before: Date,
  { batchSize = 1000, maxBatches = 100 }: { batchSize?: number; maxBatches?: number } = {},
): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    // SKIP LOCKED: replicas purging at once take other rows; a row a handler holds is left for next time.
    const result = await db
      .deleteFrom("appointment_early_changes")
      .where("appointment_id", "in", (eb) =>
        eb
          .selectFrom("appointment_early_changes")
          .select("appointment_id")
          .where("recorded_at", "<", before)
          .limit(batchSize)
          .forUpdate()
          .skipLocked(),
      )
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < batchSize) break;
  }
  return total;
}

/**
 * What was recorded for the appointment, removed: the caller is creating its session now, or
 * its booked event says it has no video (nothing would ever take the record).
 */
export async function takeEarlyChanges(trx: VideoTrx, appointmentId: string): Promise<EarlyChanges | undefined> {
  return trx
    .deleteFrom("appointment_early_changes")
    .where("appointment_id", "=", appointmentId)
    .returningAll()
    .executeTakeFirst();
}
