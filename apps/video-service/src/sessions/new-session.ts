import { randomUUID } from "node:crypto";
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
    last_activity_at: null,
    created_at: now,
    updated_at: now,
  };
}
