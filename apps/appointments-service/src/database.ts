import type { AppointmentStatus } from "@clinic/contracts";
import type { Database, OutboxTables } from "@clinic/platform";
import type { Generated, Kysely, Transaction } from "kysely";

/** The appointments service's tables as Kysely sees them (DDL in migrations/). */
export interface AppointmentsTables extends OutboxTables {
  appointments: {
    id: string;
    clinic_id: string;
    doctor_id: string;
    doctor_name: string;
    patient_id: string;
    patient_name: string;
    start_time: Date;
    duration_minutes: number;
    booking_type: "CLINIC_BASED";
    video_enabled: boolean;
    status: AppointmentStatus;
    session_id: string | null;
    consultation_duration_minutes: number | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  /** Invite links (issue 11): only the token's SHA-256 is kept. */
  appointment_invites: {
    id: string;
    appointment_id: string;
    clinic_id: string;
    patient_id: string;
    token_hash: string;
    created_by: string;
    created_at: Date;
    /** The join window's end when the invite was made; a reschedule moves the live one (computed). */
    expires_at: Date;
    revoked_at: Date | null;
    revoked_by: string | null;
  };
  appointment_audit: {
    id: Generated<number>;
    at: Generated<Date>;
    actor_id: string;
    actor_role: string;
    clinic_id: string;
    action: string;
    outcome: "ALLOWED" | "DENIED";
    /** Why access was refused (a code); null when allowed. */
    reason: string | null;
    appointment_id: string | null;
    request_id: string | null;
  };
}

/** Tables the service may only add rows to (their triggers refuse UPDATE/DELETE/TRUNCATE too). */
export const appendOnlyTables = ["appointment_audit"] as const;

export type AppointmentsDatabase = Database<AppointmentsTables>;

/**
 * The platform's outbox helpers are typed on their own two tables; Kysely's generics do not
 * see that ours include them, so the view is narrowed here, once.
 */
export function asOutbox<T extends Kysely<AppointmentsTables> | Transaction<AppointmentsTables>>(
  db: T,
): T extends Transaction<AppointmentsTables> ? Transaction<OutboxTables> : Kysely<OutboxTables> {
  return db as never;
}
