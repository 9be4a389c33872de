import { type Static, Type } from "typebox";
import { AttendeeStatus, UserType } from "./attendee.ts";
import { CallQualityReport } from "./call-quality.ts";
import { AppointmentId, ClinicId, NullableTimestamp, SessionId, Timestamp, UserId } from "./common.ts";
import { NullableSessionConsent } from "./consent.ts";
import { MultiLineText, SingleLineText } from "./text.ts";

export const SessionStatus = Type.Union([
  Type.Literal("CREATED"),
  Type.Literal("IN_PROGRESS"),
  Type.Literal("COMPLETED"),
  Type.Literal("CANCELLED"),
]);
export type SessionStatus = Static<typeof SessionStatus>;

// In their own module: signalling.ts needs them, and the call screen should not load this whole file.
export { AttendeeStatus, UserType } from "./attendee.ts";

export const UsageStatus = Type.Union([
  Type.Literal("HEALTHY"),
  Type.Literal("WARNING"),
  Type.Literal("CRITICAL"),
  Type.Literal("EXCEEDED"),
]);
export type UsageStatus = Static<typeof UsageStatus>;

export const MediaProviderName = Type.Union([Type.Literal("embedded"), Type.Literal("chime")]);
export type MediaProviderName = Static<typeof MediaProviderName>;

export const AwsMediaUrls = Type.Object({
  audio_host_url: Type.String(),
  video_host_url: Type.String(),
  signaling_url: Type.String(),
});
export type AwsMediaUrls = Static<typeof AwsMediaUrls>;

export const IceServer = Type.Object({
  urls: Type.Union([Type.String(), Type.Array(Type.String())]),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});
export type IceServer = Static<typeof IceServer>;

/** RTCConfiguration.iceTransportPolicy for the call: relay = TURN only (ICE_TRANSPORT_POLICY). */
export const IceTransportPolicy = Type.Union([Type.Literal("all"), Type.Literal("relay")], {
  description: "the browser's iceTransportPolicy: relay = media only through the TURN relay; always all under Chime",
});
export type IceTransportPolicy = Static<typeof IceTransportPolicy>;

// ---------------------------------------------------------------------------------------
// Route schemas of the video service (the guide's seven endpoints). Field names are the
// guide's; extra fields are additions the guide leaves room for (media_provider, ice_servers,
// chime, duration_seconds, ...). Request objects reject unknown fields.
// ---------------------------------------------------------------------------------------

export const AppointmentIdParams = Type.Object({ appointment_id: AppointmentId }, { additionalProperties: false });
export const SessionIdParams = Type.Object({ session_id: SessionId }, { additionalProperties: false });
/** An attendee id as the media providers issue them (`attendee-<uuid>` embedded, a UUID under Chime). */
export const AttendeeId = Type.String({ minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9-]+$" });
/** `/sessions/{session_id}/attendees/{attendee_id}/<verb>` (participant control, waiting room). */
export const SessionAttendeeParams = Type.Object(
  { session_id: SessionId, attendee_id: AttendeeId },
  { additionalProperties: false },
);

export const ListSessionsQuery = Type.Object(
  {
    status: Type.Optional(SessionStatus),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
    sort: Type.Union([Type.Literal("created_at"), Type.Literal("start_time")], { default: "created_at" }),
  },
  { additionalProperties: false },
);
export type ListSessionsQuery = Static<typeof ListSessionsQuery>;

/** One row of `GET /sessions`. `start_time` is when it started, or the appointment's scheduled start until then. */
export const SessionSummary = Type.Object({
  session_id: SessionId,
  booking_type: Type.Literal("CLINIC_BASED"),
  appointment_id: AppointmentId,
  doctor_id: UserId,
  patient_id: UserId,
  patient_name: Type.String(),
  clinic_id: ClinicId,
  status: SessionStatus,
  start_time: Timestamp,
  end_time: NullableTimestamp,
  chime_meeting_id: Type.Union([Type.String(), Type.Null()]),
  scheduled_start_time: Timestamp,
  scheduled_duration_minutes: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type SessionSummary = Static<typeof SessionSummary>;

export const ListSessionsResponse = Type.Object({
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  sessions: Type.Array(SessionSummary),
});
export type ListSessionsResponse = Static<typeof ListSessionsResponse>;

export const StartSessionBody = Type.Object(
  { booking_type: Type.Literal("CLINIC_BASED") },
  { additionalProperties: false },
);
export type StartSessionBody = Static<typeof StartSessionBody>;

/**
 * Chime's raw `Attendee` (CreateAttendee's answer): `JoinToken` opens the Chime meeting's media,
 * so it is handed only to someone let into the call (waiting room).
 */
export const ChimeAttendee = Type.Object(
  { AttendeeId: Type.String(), ExternalUserId: Type.String(), JoinToken: Type.String() },
  { additionalProperties: true },
);
export type ChimeAttendee = Static<typeof ChimeAttendee>;
/** Chime's raw `Meeting`/`Attendee` objects for `MeetingSessionConfiguration` (chime provider only). */
export const ChimeJoinInfo = Type.Object({
  Meeting: Type.Unknown(),
  Attendee: Type.Union([ChimeAttendee, Type.Null()], {
    description:
      "null while this person waits for the doctor to admit them (waiting room): once admitted, GET /api/video/sessions/{session_id}/attendees/{attendee_id}/media-credentials answers it. The doctor, an admitted patient and one auto-admitted get it here.",
  }),
});

/** GET /sessions/{session_id}/attendees/{attendee_id}/media-credentials: the caller's own Chime attendee, once admitted. */
export const MediaCredentialsResponse = Type.Object({
  session_id: SessionId,
  attendee_id: Type.String(),
  chime: Type.Object({ Meeting: Type.Unknown(), Attendee: ChimeAttendee }),
});
export type MediaCredentialsResponse = Static<typeof MediaCredentialsResponse>;

export const IssuedAttendee = Type.Object({
  attendee_id: Type.String(),
  join_token: Type.String({ description: "Short-lived; authenticates the media/signalling connection" }),
  external_user_id: UserId,
});

const mediaFields = {
  aws_media_urls: AwsMediaUrls,
  media_provider: MediaProviderName,
  meeting_id: Type.String(),
  ice_servers: Type.Array(IceServer, {
    description:
      "RTCIceServer list for the browser (embedded): the configured STUN/TURN servers plus, with TURN_URLS, this attendee's own TURN entry (username `<expiry unix s>:<attendee_id>`, credential base64(HMAC-SHA1(secret, username)), valid TURN_TTL_S); fetch again on every (re)join. Empty under Chime.",
  }),
  ice_transport_policy: IceTransportPolicy,
  chime: Type.Optional(ChimeJoinInfo),
};

export const StartSessionResponse = Type.Object({
  session_id: SessionId,
  appointment_id: AppointmentId,
  status: SessionStatus,
  chime_meeting_id: Type.String(),
  doctor_attendee: Type.Object({ ...IssuedAttendee.properties, email: Type.String() }),
  ...mediaFields,
  start_time: Timestamp,
  created_at: Timestamp,
});
export type StartSessionResponse = Static<typeof StartSessionResponse>;

export const JoinSessionBody = Type.Object(
  {
    device_info: Type.Optional(SingleLineText({ maxLength: 200 })),
    browser_info: Type.Optional(SingleLineText({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type JoinSessionBody = Static<typeof JoinSessionBody>;

/** An attendee as session details list it (JOINING → CONNECTED → LEFT | REPLACED). */
export const SessionAttendee = Type.Object({
  attendee_id: Type.String(),
  user_type: UserType,
  name: Type.String(),
  join_time: NullableTimestamp,
  leave_time: NullableTimestamp,
  status: AttendeeStatus,
});
export type SessionAttendee = Static<typeof SessionAttendee>;

export const JoinSessionResponse = Type.Object({
  session_id: SessionId,
  attendee: IssuedAttendee,
  ...mediaFields,
  session_status: SessionStatus,
  attendees: Type.Array(SessionAttendee),
});
export type JoinSessionResponse = Static<typeof JoinSessionResponse>;

const detailsFields = {
  session_id: SessionId,
  appointment_id: AppointmentId,
  doctor_id: UserId,
  patient_id: UserId,
  patient_name: Type.String(),
  clinic_id: ClinicId,
  booking_type: Type.Literal("CLINIC_BASED"),
  status: SessionStatus,
  chime_meeting_id: Type.Union([Type.String(), Type.Null()]),
  start_time: NullableTimestamp,
  end_time: NullableTimestamp,
  duration_seconds: Type.Integer({ minimum: 0 }),
  scheduled_start_time: Timestamp,
  scheduled_duration_minutes: Type.Integer(),
  attendees: Type.Array(SessionAttendee),
  /** The patient's latest telehealth consent answer (issue 16), so the doctor sees why nobody joined. */
  consent: NullableSessionConsent,
  /** Each side's call-quality summary (issue 12), sent by its browser at the end of the call. */
  quality_reports: Type.Array(CallQualityReport),
  created_at: Timestamp,
  updated_at: Timestamp,
};

/** What a patient (and an admin) may read: no notes, no rating. */
export const SessionDetailsRedacted = Type.Object(detailsFields);
export type SessionDetailsRedacted = Static<typeof SessionDetailsRedacted>;

/** What the appointment's doctor reads. */
export const SessionDetails = Type.Object({
  ...detailsFields,
  notes: Type.Union([Type.String(), Type.Null()]),
  quality_rating: Type.Union([Type.Integer(), Type.Null()]),
});
export type SessionDetails = Static<typeof SessionDetails>;

/** Free text of the doctor, up to 500 characters; tab and line breaks (LF, CR) but no other control character. */
export const SessionNotes = MultiLineText({ maxLength: 500, description: "At most 500 characters" });
export const QualityRating = Type.Integer({ minimum: 1, maximum: 5 });
/**
 * 1–5, or null for "not rated". One nullable type rather than a union with null: the
 * validator coerces types, and as a union a 0 or `false` would slip through as null.
 */
export const OptionalRating = Type.Unsafe<number | null>({
  type: ["integer", "null"],
  minimum: 1,
  maximum: 5,
  description: "1–5 stars; null: not rated",
});

export const EndSessionBody = Type.Object(
  { notes: Type.Optional(SessionNotes), quality_rating: Type.Optional(QualityRating) },
  { additionalProperties: false },
);
export type EndSessionBody = Static<typeof EndSessionBody>;

export const EndSessionResponse = Type.Object({
  session_id: SessionId,
  appointment_id: AppointmentId,
  status: SessionStatus,
  start_time: Timestamp,
  end_time: Timestamp,
  duration_minutes: Type.Integer({ minimum: 0 }),
  duration_seconds: Type.Integer({ minimum: 0 }),
  notes: Type.Union([Type.String(), Type.Null()]),
  quality_rating: Type.Union([Type.Integer(), Type.Null()]),
  appointment_status: Type.Literal("COMPLETED"),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type EndSessionResponse = Static<typeof EndSessionResponse>;

/** The rating is optional: left out, it stays as it was (none unless given before); null clears it. */
export const UpdateNotesBody = Type.Object(
  {
    notes: Type.Optional(SessionNotes),
    quality_rating: Type.Optional(OptionalRating),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateNotesBody = Static<typeof UpdateNotesBody>;

export const UpdateNotesResponse = Type.Object({
  session_id: SessionId,
  notes: Type.Union([Type.String(), Type.Null()]),
  quality_rating: Type.Union([Type.Integer(), Type.Null()]),
  updated_at: Timestamp,
});
export type UpdateNotesResponse = Static<typeof UpdateNotesResponse>;

/** A draft is written whole (PUT): a rating left out is no rating. */
export const NotesDraftBody = Type.Object(
  { notes: SessionNotes, quality_rating: Type.Optional(OptionalRating) },
  { additionalProperties: false },
);
export type NotesDraftBody = Static<typeof NotesDraftBody>;

export const NotesDraftResponse = Type.Object({
  session_id: SessionId,
  notes: Type.String(),
  quality_rating: Type.Union([Type.Integer(), Type.Null()]),
  updated_at: NullableTimestamp,
  source: Type.Union([Type.Literal("draft"), Type.Literal("saved"), Type.Literal("empty")], {
    description: "draft: the working copy; saved: no draft, the session's saved notes; empty: neither",
  }),
});
export type NotesDraftResponse = Static<typeof NotesDraftResponse>;

export const UsageQuery = Type.Object(
  {
    month: Type.Optional(
      Type.String({
        pattern: "^[0-9]{4}-(0[1-9]|1[0-2])$",
        description: "YYYY-MM, a calendar month in the clinic's time zone (CLINIC_TIME_ZONE); default: the current one",
      }),
    ),
    limit: Type.Integer({
      minimum: 1,
      maximum: 200,
      default: 50,
      description: "Sessions per page of `sessions` (the totals always cover the whole month)",
    }),
    offset: Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      default: 0,
      description: "Sessions to skip (newest start first, then by session id)",
    }),
  },
  { additionalProperties: false },
);
export type UsageQuery = Static<typeof UsageQuery>;

export const UsageSession = Type.Object({
  session_id: SessionId,
  patient_name: Type.String(),
  start_time: NullableTimestamp,
  duration_minutes: Type.Number({
    description: "the session's length (start to end, or to now while in progress), one decimal",
  }),
  attendees: Type.Integer({ description: "distinct people who connected" }),
  attendee_minutes: Type.Number({ description: "one decimal" }),
});
export type UsageSession = Static<typeof UsageSession>;

export const UsageResponse = Type.Object({
  month: Type.String({ description: "YYYY-MM in time_zone" }),
  time_zone: Type.String({
    description: "IANA time zone (CLINIC_TIME_ZONE) whose calendar months and days the figures are counted in",
  }),
  clinic_id: ClinicId,
  total_sessions: Type.Integer({ description: "Sessions with usage in the month (all pages of `sessions`)" }),
  total_attendee_minutes: Type.Number(),
  free_tier_limit: Type.Integer(),
  usage_percentage: Type.Number(),
  remaining_minutes: Type.Number(),
  status: UsageStatus,
  clinic_status: Type.Union(UsageStatus.anyOf, {
    description:
      "The clinic's own free-tier status this month, whoever asks: what USAGE_LIMIT_POLICY=block stops new calls on. For an admin the same as status; a doctor's status counts only their own sessions",
  }),
  forecast_minutes: Type.Number({
    description: "Projected attendee-minutes at month end: the average daily rate so far carried over the days left",
  }),
  forecast_status: UsageStatus,
  forecast_exceeds_on: Type.Union([Type.String({ format: "date" }), Type.Null()], {
    description: "Day (in time_zone) the free tier was or is projected to be exceeded this month; null if not",
  }),
  daily: Type.Array(Type.Object({ date: Type.String({ format: "date" }), attendee_minutes: Type.Number() }), {
    description: "Attendee-minutes per day (in time_zone) of the month, every day present",
  }),
  limit: Type.Integer({ description: "Page size of `sessions` (as asked, default 50)" }),
  offset: Type.Integer({ description: "Sessions skipped before this page" }),
  sessions: Type.Array(UsageSession, {
    description:
      "One page: `limit` sessions from `offset`, newest start first (then by session id); `total_sessions` counts them all",
  }),
});
export type UsageResponse = Static<typeof UsageResponse>;
