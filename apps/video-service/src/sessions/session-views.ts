import type {
  AwsMediaUrls,
  CallQualityReport,
  ChimeAttendee,
  MediaProviderName,
  SessionAttendee,
  SessionConsent,
  SessionDetails,
  SessionDetailsRedacted,
  SessionSummary,
} from "@clinic/contracts";
import { signallingPath } from "../meetings/embedded/embedded-media-provider.ts";
import { turnIceServer } from "../meetings/embedded/turn-credentials.ts";
import type { Meeting } from "../meetings/media-provider.ts";
import { iso, isoOrNull, json } from "../tables.ts";
import type { AttendeeWithTimes } from "./attendees.repository.ts";
import type { CallQualityRow } from "./call-quality.repository.ts";
import type { SessionView } from "./session-access.ts";
import type { SessionRow, SummaryRow } from "./sessions.repository.ts";
import type { SessionsContext } from "./sessions-context.ts";

/**
 * Rows → the guide's response shapes. Kept apart from the rules so each stays short. A list
 * entry's times are ISO strings already (sessions.repository.ts `listSessions`).
 */
export function toSummary(row: SummaryRow): SessionSummary {
  return {
    session_id: row.session_id,
    booking_type: "CLINIC_BASED",
    appointment_id: row.appointment_id,
    doctor_id: row.doctor_id,
    patient_id: row.patient_id,
    patient_name: row.patient_name,
    clinic_id: row.clinic_id,
    status: row.status,
    start_time: row.start_time,
    end_time: row.end_time,
    chime_meeting_id: row.meeting_id,
    scheduled_start_time: row.scheduled_start,
    scheduled_duration_minutes: row.scheduled_duration_minutes,
    created_at: row.created_at,
    updated_at: row.updated_at,
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
  qualityReports: CallQualityReport[] = [],
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
    quality_reports: qualityReports,
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
 * Chime brings its own media servers: no TURN entry, policy "all". Under Chime `signaling_url`
 * is our signalling socket too, which the browser holds in presence-only mode beside Chime's
 * own (that one is in `chime.Meeting.MediaPlacement`, where the SDK reads it): attendance.
 * `admitted: false` (a patient in the waiting room) withholds Chime's attendee: its JoinToken
 * would open the meeting's media without the doctor's Admit (media-credentials.service.ts).
 */
export function mediaFields(
  row: SessionRow,
  attendee: { attendee_id: string; provider_data: unknown },
  signallingBase: string,
  ctx: Pick<SessionsContext, "provider" | "turn" | "config" | "now">,
  options: { admitted: boolean } = { admitted: true },
) {
  const meeting = meetingOf(row);
  const urls = meeting.media_urls;
  const mediaProvider = (row.media_provider ?? ctx.provider.name) as MediaProviderName;
  const embedded = mediaProvider === "embedded";
  const path = embedded ? urls.signaling_url : signallingPath(row.session_id);
  const signaling_url = path.startsWith("/") ? `${signallingBase}${path}` : path;
  const turn = embedded && ctx.turn ? [turnIceServer(ctx.turn, attendee.attendee_id, ctx.now())] : [];
  return {
    aws_media_urls: { ...urls, signaling_url },
    media_provider: mediaProvider,
    meeting_id: meeting.meeting_id,
    ice_servers: [...ctx.provider.iceServers, ...turn],
    ice_transport_policy: embedded ? ctx.config.ICE_TRANSPORT_POLICY : ("all" as const),
    ...(row.media_provider === "chime"
      ? {
          chime: {
            Meeting: meeting.provider_data,
            Attendee: options.admitted ? json<ChimeAttendee>(attendee.provider_data) : null,
          },
        }
      : {}),
  };
}

/** A stored call-quality summary as the API shows it. */
export function toCallQualityReport(row: CallQualityRow): CallQualityReport {
  return {
    side: row.side,
    rtt_ms_median: row.rtt_ms_median,
    packet_loss_pct: row.packet_loss_pct,
    outgoing_kbps_median: row.outgoing_kbps_median,
    incoming_kbps_median: row.incoming_kbps_median,
    sent_resolution: row.sent_resolution,
    relay_seconds: row.relay_seconds,
    audio_only_seconds: row.audio_only_seconds,
    call_seconds: row.call_seconds,
    reported_at: iso(row.reported_at),
  };
}
