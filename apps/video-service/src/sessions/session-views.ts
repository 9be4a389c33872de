import type {
  AwsMediaUrls,
  MediaProviderName,
  SessionAttendee,
  SessionConsent,
  SessionDetails,
  SessionDetailsRedacted,
  SessionSummary,
} from "@clinic/contracts";
import { turnIceServer } from "../meetings/embedded/turn-credentials.ts";
import type { Meeting } from "../meetings/media-provider.ts";
import { iso, isoOrNull, json } from "../tables.ts";
import type { AttendeeWithTimes } from "./attendees.repository.ts";
import type { SessionView } from "./session-access.ts";
import type { SessionRow } from "./sessions.repository.ts";
import type { SessionsContext } from "./sessions-context.ts";

/** Rows → the guide's response shapes. Kept apart from the rules so each stays short. */
export function toSummary(row: SessionRow): SessionSummary {
  return {
    session_id: row.session_id,
    booking_type: "CLINIC_BASED",
    appointment_id: row.appointment_id,
    doctor_id: row.doctor_id,
    patient_id: row.patient_id,
    patient_name: row.patient_name,
    clinic_id: row.clinic_id,
    status: row.status,
    start_time: iso(row.start_time ?? row.scheduled_start),
    end_time: isoOrNull(row.end_time),
    chime_meeting_id: row.meeting_id,
    scheduled_start_time: iso(row.scheduled_start),
    scheduled_duration_minutes: row.scheduled_duration_minutes,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export function durationSeconds(row: SessionRow, now: Date): number {
  if (!row.start_time) return 0;
  const end = row.end_time ?? now;
  return Math.max(0, Math.floor((end.getTime() - row.start_time.getTime()) / 1000));
}

export function toAttendee(a: AttendeeWithTimes): SessionAttendee {
  const gone = a.status === "LEFT" || a.status === "REPLACED";
  return {
    attendee_id: a.attendee_id,
    user_type: a.user_type,
    name: a.name,
    join_time: isoOrNull(a.join_time),
    leave_time: gone ? isoOrNull(a.leave_time) : null,
    status: a.status,
  };
}

export function toDetails(
  row: SessionRow,
  attendees: AttendeeWithTimes[],
  now: Date,
  view: SessionView,
  consent: SessionConsent | null,
): SessionDetails | SessionDetailsRedacted {
  const redacted: SessionDetailsRedacted = {
    session_id: row.session_id,
    appointment_id: row.appointment_id,
    doctor_id: row.doctor_id,
    patient_id: row.patient_id,
    patient_name: row.patient_name,
    clinic_id: row.clinic_id,
    booking_type: "CLINIC_BASED",
    status: row.status,
    chime_meeting_id: row.meeting_id,
    start_time: isoOrNull(row.start_time),
    end_time: isoOrNull(row.end_time),
    duration_seconds: durationSeconds(row, now),
    scheduled_start_time: iso(row.scheduled_start),
    scheduled_duration_minutes: row.scheduled_duration_minutes,
    attendees: attendees.map(toAttendee),
    consent,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
  if (view === "redacted") return redacted;
  return { ...redacted, notes: row.notes, quality_rating: row.quality_rating };
}

export function meetingOf(row: SessionRow): Meeting {
  if (!row.meeting_id) throw new Error(`session ${row.session_id} has no meeting`);
  return {
    meeting_id: row.meeting_id,
    media_urls: json<AwsMediaUrls>(row.meeting_media_urls),
    provider_data: json<unknown>(row.meeting_provider_data),
  };
}

/**
 * The media part of start/join responses. A signalling URL stored as a path (embedded) is
 * made absolute with the base the browser used to reach us (see signallingBase in routes).
 * Embedded: the static ICE_SERVERS plus, with TURN configured, this attendee's own TURN
 * credential (valid TURN_TTL_S from now; a rejoin gets a fresh one) and ICE_TRANSPORT_POLICY.
 * Chime brings its own media servers: no TURN entry, policy "all".
 */
export function mediaFields(
  row: SessionRow,
  attendee: { attendee_id: string; provider_data: unknown },
  signallingBase: string,
  ctx: Pick<SessionsContext, "provider" | "turn" | "config" | "now">,
) {
  const meeting = meetingOf(row);
  const urls = meeting.media_urls;
  const signaling_url = urls.signaling_url.startsWith("/")
    ? `${signallingBase}${urls.signaling_url}`
    : urls.signaling_url;
  const mediaProvider = (row.media_provider ?? ctx.provider.name) as MediaProviderName;
  const embedded = mediaProvider === "embedded";
  const turn = embedded && ctx.turn ? [turnIceServer(ctx.turn, attendee.attendee_id, ctx.now())] : [];
  return {
    aws_media_urls: { ...urls, signaling_url },
    media_provider: mediaProvider,
    meeting_id: meeting.meeting_id,
    ice_servers: [...ctx.provider.iceServers, ...turn],
    ice_transport_policy: embedded ? ctx.config.ICE_TRANSPORT_POLICY : ("all" as const),
    ...(row.media_provider === "chime"
      ? { chime: { Meeting: meeting.provider_data, Attendee: json<unknown>(attendee.provider_data) } }
      : {}),
  };
}
