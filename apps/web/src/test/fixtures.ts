import type { Appointment } from "../features/appointments/api/get-appointments.ts";
import type { SessionDetails } from "../features/sessions/api/get-session.ts";
import type { Usage } from "../features/usage/api/get-usage.ts";

export const ids = {
  appointment: "appt-11111111-1111-4111-8111-111111111111",
  session: "sess-22222222-2222-4222-8222-222222222222",
};

export function appointment(overrides: Partial<Appointment> = {}): Appointment {
  return {
    id: ids.appointment,
    clinic_id: "clinic-1",
    doctor_id: "doc-1",
    doctor_name: "Dr. Ada Smith",
    patient_id: "pat-1",
    patient_name: "John Doe",
    start_time: new Date().toISOString(),
    duration_minutes: 30,
    booking_type: "CLINIC_BASED",
    video_enabled: true,
    status: "SCHEDULED",
    session_id: null,
    consultation_duration_minutes: null,
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    ...overrides,
  };
}

export function session(overrides: Partial<SessionDetails> = {}): SessionDetails {
  return {
    session_id: ids.session,
    appointment_id: ids.appointment,
    doctor_id: "doc-1",
    patient_id: "pat-1",
    patient_name: "John Doe",
    clinic_id: "clinic-1",
    booking_type: "CLINIC_BASED",
    status: "COMPLETED",
    scheduled_start_time: "2026-01-25T14:00:00Z",
    scheduled_duration_minutes: 30,
    chime_meeting_id: "meeting-1",
    start_time: "2026-01-25T14:00:00Z",
    end_time: "2026-01-25T14:30:00Z",
    duration_seconds: 1800,
    attendees: [],
    notes: null,
    quality_rating: null,
    consent: { decision: "GIVEN", text_version: 0, decided_at: "2026-01-25T14:01:00Z" },
    quality_reports: [],
    created_at: "2026-01-25T13:00:00Z",
    updated_at: "2026-01-25T14:30:00Z",
    ...overrides,
  };
}

export function usage(overrides: Partial<Usage> = {}): Usage {
  return {
    month: "2026-01",
    clinic_id: "clinic-1",
    time_zone: "UTC",
    clinic_status: "HEALTHY",
    total_sessions: 12,
    total_attendee_minutes: 450,
    free_tier_limit: 1000,
    usage_percentage: 45,
    remaining_minutes: 550,
    status: "HEALTHY",
    forecast_minutes: 450,
    forecast_status: "HEALTHY",
    forecast_exceeds_on: null,
    daily: Array.from({ length: 31 }, (_, i) => ({
      date: `2026-01-${String(i + 1).padStart(2, "0")}`,
      attendee_minutes: i === 14 ? 450 : 0,
    })),
    limit: 50,
    offset: 0,
    sessions: [],
    ...overrides,
  };
}

/** The answer to POST /join of the test session: embedded media, no ICE servers. */
export const joined = {
  status: 200,
  body: {
    session_id: ids.session,
    attendee: { attendee_id: "att-1", join_token: "join-token-1", external_user_id: "doc-1" },
    aws_media_urls: {
      audio_host_url: "",
      video_host_url: "",
      signaling_url: `/api/video/sessions/${ids.session}/signal`,
    },
    session_status: "IN_PROGRESS",
    attendees: [],
    media_provider: "embedded",
    meeting_id: "meeting-1",
    ice_servers: [],
    ice_transport_policy: "all",
  },
};
