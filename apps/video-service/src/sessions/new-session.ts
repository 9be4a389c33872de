import { randomUUID } from "node:crypto";
import type { EarlyChanges } from "../appointments/early-changes.repository.ts";
import type { NewSession } from "./sessions.repository.ts";

/** `sess-<uuid>`, the guide's id shape (contracts SessionId). */
function newSessionId(): string {
  return `sess-${randomUUID()}`;
}

export interface AppointmentFacts {
  appointment_id: string;
  clinic_id: string;
  doctor_id: string;
  patient_id: string;
  patient_name: string;
  start_time: string;
  duration_minutes: number;
}

/** A CREATED session for an appointment (from `appointment.booked`, or a start with no session yet). */
export function newSessionRow(facts: AppointmentFacts, now: Date): NewSession {
  return {
    session_id: newSessionId(),
    appointment_id: facts.appointment_id,
    clinic_id: facts.clinic_id,
    doctor_id: facts.doctor_id,
    patient_id: facts.patient_id,
    patient_name: facts.patient_name,
    scheduled_start: new Date(facts.start_time),
    scheduled_duration_minutes: facts.duration_minutes,
    status: "CREATED",
    start_time: null,
    end_time: null,
    end_reason: null,
    media_provider: null,
    meeting_id: null,
    meeting_media_urls: null,
    meeting_provider_data: null,
    notes: null,
    quality_rating: null,
    // The waiting room: the patient waits for Admit unless the doctor turns auto-admit on.
    auto_admit: false,
    last_activity_at: null,
    start_token: null,
    start_reserved_at: null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * A new session row with what an `appointment.cancelled` / `appointment.rescheduled` handled
 * before it recorded (appointments/early-changes.repository.ts): cancelled → CANCELLED,
 * rescheduled → the new time (`schedule: false` when the facts are fresher than the event, as
 * a start's lookup is). A change naming another clinic is not this appointment's and is ignored.
 */
export function withEarlyChanges(
  row: NewSession,
  changes: EarlyChanges | undefined,
  { schedule }: { schedule: boolean },
): NewSession {
  if (!changes || changes.clinic_id !== row.clinic_id) return row;
  const next = { ...row };
  if (schedule && changes.scheduled_start && changes.scheduled_duration_minutes !== null) {
    next.scheduled_start = changes.scheduled_start;
    next.scheduled_duration_minutes = changes.scheduled_duration_minutes;
  }
  if (changes.cancelled_at) next.status = "CANCELLED";
  return next;
}
