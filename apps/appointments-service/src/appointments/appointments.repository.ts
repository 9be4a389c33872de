import type { AppointmentStatus } from "@clinic/contracts";
import { prepared } from "@clinic/platform";
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { AppointmentsTables } from "../database.ts";

export type AppointmentRow = Selectable<AppointmentsTables["appointments"]>;
type Db = Kysely<AppointmentsTables> | Transaction<AppointmentsTables>;

/** Whose appointments a list may contain; decided by appointment-access.ts, applied here. */
export type AppointmentScope =
  | { kind: "doctor"; clinicId: string; doctorId: string }
  | { kind: "patient"; clinicId: string; patientId: string }
  | { kind: "clinic"; clinicId: string };

export interface ListFilter {
  scope: AppointmentScope;
  from?: Date | undefined;
  to?: Date | undefined;
  statuses?: AppointmentStatus[] | undefined;
  limit: number;
  offset: number;
}

/** Statuses that occupy the doctor's time. */
const activeStatuses: AppointmentStatus[] = ["SCHEDULED", "IN_PROGRESS"];

export const appointmentsRepository = {
  async find(db: Db, id: string, options: { lock?: boolean } = {}): Promise<AppointmentRow | undefined> {
    const query = db.selectFrom("appointments").selectAll().where("id", "=", id);
    return (options.lock ? query.forUpdate() : query).executeTakeFirst();
  },

  async list(db: Db, filter: ListFilter): Promise<{ total: number; rows: AppointmentRow[] }> {
    let query = db.selectFrom("appointments").where("clinic_id", "=", filter.scope.clinicId);
    if (filter.scope.kind === "doctor") query = query.where("doctor_id", "=", filter.scope.doctorId);
    if (filter.scope.kind === "patient") query = query.where("patient_id", "=", filter.scope.patientId);
    if (filter.from) query = query.where("start_time", ">=", filter.from);
    if (filter.to) query = query.where("start_time", "<", filter.to);
    if (filter.statuses?.length) query = query.where("status", "in", filter.statuses);
    const [count, rows] = await Promise.all([
      query.select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow(),
      query.selectAll().orderBy("start_time").orderBy("id").limit(filter.limit).offset(filter.offset).execute(),
    ]);
    return { total: Number(count.n), rows };
  },

  async insert(db: Db, row: Insertable<AppointmentsTables["appointments"]>): Promise<AppointmentRow> {
    return db.insertInto("appointments").values(row).returningAll().executeTakeFirstOrThrow();
  },

  /** Changes a row only if it is still in one of `from`: the guard against racing writers. */
  async transition(
    db: Db,
    id: string,
    from: AppointmentStatus[],
    changes: Partial<Pick<AppointmentRow, "status" | "session_id" | "consultation_duration_minutes">> &
      Partial<Pick<AppointmentRow, "start_time" | "duration_minutes">>,
    /** Only an appointment of this clinic (an event names the clinic it is about). */
    clinicId?: string,
  ): Promise<AppointmentRow | undefined> {
    let query = db
      .updateTable("appointments")
      .set({ ...changes, updated_at: new Date() })
      .where("id", "=", id)
      .where("status", "in", from);
    if (clinicId !== undefined) query = query.where("clinic_id", "=", clinicId);
    return query.returningAll().executeTakeFirst();
  },

  /**
   * An event's guarded update and its inbox row in one statement (one autocommit transaction):
   * the appointment changes only if it is still in one of `from`, is of `clinicId`, and the
   * inbox has no row of the event for `consumer`; the inbox row is written only with the change.
   * Answers whether both were written. It never writes one without the other: when nothing
   * changed (a duplicate, a late event, an appointment this clinic does not have) the caller
   * decides in a transaction of its own (`handleOnce`). A concurrent delivery of the same event
   * that committed its inbox row first makes this statement fail on the inbox's key (23505),
   * the change rolled back with it.
   */
  async transitionOnce(
    db: Db,
    id: string,
    clinicId: string,
    from: AppointmentStatus[],
    changes: Pick<AppointmentRow, "status" | "session_id"> &
      Partial<Pick<AppointmentRow, "consultation_duration_minutes">>,
    inbox: { eventId: string; consumer: string; type: string },
  ): Promise<boolean> {
    const duration = changes.consultation_duration_minutes;
    const statement = sql<{ event_id: string }>`
      WITH moved AS (
        UPDATE appointments
        SET status = ${changes.status}, session_id = ${changes.session_id}, updated_at = ${new Date()}::timestamptz${
          duration === undefined ? sql`` : sql`, consultation_duration_minutes = ${duration}`
        }
        WHERE id = ${id} AND clinic_id = ${clinicId} AND status = ANY(${from}::text[])
          AND NOT EXISTS (SELECT 1 FROM inbox
                          WHERE event_id = ${inbox.eventId}::uuid AND consumer = ${inbox.consumer})
        RETURNING id)
      INSERT INTO inbox (event_id, consumer, type)
      SELECT ${inbox.eventId}::uuid, ${inbox.consumer}, ${inbox.type} FROM moved
      RETURNING event_id`.compile(db);
    // Two texts (with and without the duration), each a prepared statement on PostgreSQL.
    const { rows } = await db.executeQuery(prepared(statement));
    return rows.length > 0;
  },

  /**
   * Serialises bookings of one doctor (transaction-scoped advisory lock), so two concurrent
   * bookings cannot both pass the overlap check.
   */
  async lockDoctor(trx: Transaction<AppointmentsTables>, clinicId: string, doctorId: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`appointments:${clinicId}:${doctorId}`}))`.execute(trx);
  },

  /** An active appointment of the doctor overlapping [start, end), other than `exceptId`. */
  async findOverlap(
    db: Db,
    clinicId: string,
    doctorId: string,
    start: Date,
    end: Date,
    exceptId?: string,
  ): Promise<AppointmentRow | undefined> {
    let query = db
      .selectFrom("appointments")
      .selectAll()
      .where("clinic_id", "=", clinicId)
      .where("doctor_id", "=", doctorId)
      .where("status", "in", activeStatuses)
      .where("start_time", "<", end)
      .where(sql<boolean>`start_time + make_interval(mins => duration_minutes) > ${start}`);
    if (exceptId) query = query.where("id", "!=", exceptId);
    return query.limit(1).executeTakeFirst();
  },

  async countForClinic(db: Db, clinicId: string): Promise<number> {
    const row = await db
      .selectFrom("appointments")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("clinic_id", "=", clinicId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },
};
