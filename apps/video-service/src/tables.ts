import type { AttendeeStatus, SessionStatus, UserType } from "@clinic/contracts";
import type { CloudEvent, OutboxTables } from "@clinic/platform";
import { enqueueEvent } from "@clinic/platform";
import type { ColumnType, Generated, Kysely, Transaction } from "kysely";

/** Row types of the video service's database (migrations/ is the source of truth). */
export interface SessionsTable {
  session_id: string;
  appointment_id: string;
  booking_type: Generated<"CLINIC_BASED">;
  clinic_id: string;
  doctor_id: string;
  patient_id: string;
  patient_name: string;
  scheduled_start: Date;
  scheduled_duration_minutes: number;
  status: SessionStatus;
  start_time: Date | null;
  end_time: Date | null;
  end_reason: EndReason | null;
  media_provider: string | null;
  meeting_id: string | null;
  meeting_media_urls: unknown;
  meeting_provider_data: unknown;
  notes: string | null;
  quality_rating: number | null;
  last_activity_at: Date | null;
  /** A start's reservation while it calls the media provider (sessions.repository.ts `reserveStart`). */
  start_token: string | null;
  start_reserved_at: Date | null;
  /** Waiting room: the doctor lets the patient in without pressing Admit (issue 12). */
  auto_admit: boolean;
  created_at: Date;
  updated_at: Date;
}

export type EndReason = "ENDED_BY_DOCTOR" | "IDLE_TIMEOUT";

export interface AttendeesTable {
  attendee_id: string;
  session_id: string;
  user_id: string;
  user_type: UserType;
  name: string;
  status: AttendeeStatus;
  device_info: string | null;
  browser_info: string | null;
  provider_data: unknown;
  created_at: Date;
  updated_at: Date;
}

export interface AttendanceIntervalsTable {
  id: Generated<number>;
  attendee_id: string;
  session_id: string;
  clinic_id: string;
  user_id: string;
  joined_at: Date;
  left_at: Date | null;
  last_seen_at: Date;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor_id: string;
  actor_role: string;
  clinic_id: string | null;
  action: string;
  outcome: "ALLOWED" | "DENIED";
  session_id: string | null;
  appointment_id: string | null;
  request_id: string | null;
  client_address: string | null;
}

/** The doctor's working copy of a session's notes (until the final notes are saved). */
export interface NotesDraftsTable {
  session_id: string;
  notes: string;
  quality_rating: number | null;
  updated_by: string;
  updated_at: Date;
}

export interface VideoTables extends OutboxTables {
  sessions: SessionsTable;
  session_counts: SessionCountsTable;
  notes_drafts: NotesDraftsTable;
  attendees: AttendeesTable;
  attendance_intervals: AttendanceIntervalsTable;
  audit_log: AuditLogTable;
  consent_texts: ConsentTextsTable;
  consent_answers: ConsentAnswersTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  usage_thresholds_crossed: UsageThresholdsCrossedTable;
  appointment_early_changes: AppointmentEarlyChangesTable;
  session_admissions: SessionAdmissionsTable;
  attendee_removals: AttendeeRemovalsTable;
  provider_attendee_deletions: ProviderAttendeeDeletionsTable;
  call_quality_reports: CallQualityReportsTable;
  usage_rollup_zones: UsageRollupZonesTable;
  usage_daily_rollups: UsageDailyRollupsTable;
  usage_month_rollups: UsageMonthRollupsTable;
  usage_session_rollups: UsageSessionRollupsTable;
  usage_session_people: UsageSessionPeopleTable;
}

/** Sessions per clinic, doctor and status, kept by a trigger on sessions (sessions.repository.ts countSessions). */
export interface SessionCountsTable {
  clinic_id: string;
  doctor_id: string;
  status: string;
  n: number;
}

/** Usage rollups (usage/usage-rollups.repository.ts): closed attendee-milliseconds per local day/month of `zone`. */
export interface UsageRollupZonesTable {
  zone: string;
  added_at: Date;
}
export interface UsageDailyRollupsTable {
  zone: string;
  clinic_id: string;
  day: ColumnType<Date, string, string>;
  doctor_id: string;
  /** bigint: read as a string. */
  attendee_ms: ColumnType<string, number, number>;
}
export interface UsageMonthRollupsTable {
  zone: string;
  clinic_id: string;
  month: string;
  doctor_id: string;
  attendee_ms: ColumnType<string, number, number>;
  sessions: number;
}
export interface UsageSessionRollupsTable {
  zone: string;
  month: string;
  session_id: string;
  clinic_id: string;
  doctor_id: string;
  start_time: Date | null;
  attendee_ms: ColumnType<string, number, number>;
  attendees: number;
  counted: Generated<boolean>;
}
export interface UsageSessionPeopleTable {
  zone: string;
  month: string;
  session_id: string;
  user_id: string;
}

/**
 * A cancellation or reschedule handled before the appointment's `appointment.booked`
 * (appointments/early-changes.repository.ts); applied when the session is created, then deleted.
 * Rows nothing takes (appointments without video) are purged after EVENT_RETENTION_DAYS.
 */
export interface AppointmentEarlyChangesTable {
  appointment_id: string;
  clinic_id: string;
  cancelled_at: Date | null;
  scheduled_start: Date | null;
  scheduled_duration_minutes: number | null;
  /** The `time` of the reschedule event kept: a reschedule of an earlier time does not replace it. */
  rescheduled_event_time: Date | null;
  /** When the row was last written; the retention purge goes by it. */
  recorded_at: Date;
}

/** One side's call-quality summary of a session (issue 12), replaced by a later send of the same side. */
export interface CallQualityReportsTable {
  session_id: string;
  side: UserType;
  reported_by: string;
  rtt_ms_median: number | null;
  packet_loss_pct: number | null;
  outgoing_kbps_median: number | null;
  incoming_kbps_median: number | null;
  sent_resolution: string | null;
  relay_seconds: number;
  audio_only_seconds: number;
  call_seconds: number;
  reported_at: Date;
}

/**
 * A person the session's doctor removed from the call (participant control): attendees of theirs
 * created up to `removed_at` cannot connect, and rejoining needs an invite issued after it.
 */
export interface AttendeeRemovalsTable {
  session_id: string;
  user_id: string;
  removed_at: Date;
  removed_by: string;
}

/**
 * A removed attendee still to be deleted at the media provider (sessions/provider-cleanup.ts):
 * retried with backoff until the provider confirms or the session ends.
 */
export interface ProviderAttendeeDeletionsTable {
  attendee_id: string;
  session_id: string;
  attempts: Generated<number>;
  /** When the next attempt is due; while an attempt runs, the end of its lease. */
  next_attempt_at: Date;
  created_at: Date;
  /** The last failure's reason (e.g. UNAVAILABLE), never the provider's own text. */
  last_error_code: string | null;
}

/** Waiting room (issue 12): a person the session's doctor let in (per person, so a rejoin keeps it). */
export interface SessionAdmissionsTable {
  session_id: string;
  user_id: string;
  admitted_at: Date;
  /** The doctor's user id, or "auto" (auto-admit was on when they connected). */
  admitted_by: string;
}

/** Tables the service may only add rows to (their triggers refuse UPDATE/DELETE/TRUNCATE too). */
export const appendOnlyTables = ["audit_log", "consent_texts", "consent_answers"] as const;

/** A clinic's webhook endpoint; `secret` (whsec_…) is read only to sign deliveries. */
export interface WebhookEndpointsTable {
  webhook_id: string;
  clinic_id: string;
  url: string;
  /** jsonb: an array read, JSON text written. */
  events: ColumnType<string[], string, string>;
  secret: string;
  created_by: string;
  created_at: Date;
  last_failure_at: Date | null;
  last_failure_status_code: number | null;
  last_failure_error: string | null;
}

/** One message to one endpoint (the webhook outbox): PENDING → DELIVERED | FAILED. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  message_id: string;
  webhook_id: string;
  clinic_id: string;
  event_type: string;
  body: string;
  status: "PENDING" | "DELIVERED" | "FAILED";
  attempts: Generated<number>;
  created_at: Date;
  next_attempt_at: Date | null;
  claim_id: string | null;
  locked_until: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  failed_at: Date | null;
}

/** A usage threshold already announced: once per clinic, month and threshold. */
export interface UsageThresholdsCrossedTable {
  clinic_id: string;
  month: string;
  threshold_percent: number;
  crossed_at: Date;
}

/** A clinic's telehealth consent text, one row per version (1, 2, …; 0 is the built-in default). */
export interface ConsentTextsTable {
  clinic_id: string;
  version: number;
  text: string;
  created_at: Date;
  created_by: string;
}

/** Every consent answer a patient gave for a session; the latest (highest id) counts. */
export interface ConsentAnswersTable {
  id: Generated<number>;
  session_id: string;
  patient_id: string;
  clinic_id: string;
  decision: "GIVEN" | "DECLINED";
  text_version: number;
  decided_at: Date;
}

export type VideoDb = Kysely<VideoTables>;
export type VideoTrx = Transaction<VideoTables>;
/** Repositories take either, so a service decides what runs in one transaction. */
export type Executor = VideoDb | VideoTrx;

/** Both drivers return Date for timestamptz; this keeps the mapping to ISO strings in one place. */
export function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
export function isoOrNull(value: Date | string | null): string | null {
  return value === null ? null : iso(value);
}
export function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** Kysely's table maps are invariant; our tables include the outbox's, so this view is safe. */
export function asOutboxDb(db: VideoDb): Kysely<OutboxTables> {
  return db as unknown as Kysely<OutboxTables>;
}

/** `enqueueEvent` in our transaction: the event commits with the state change. */
export function enqueue(trx: VideoTrx, event: CloudEvent): Promise<void> {
  return enqueueEvent(outboxTrx(trx), event);
}

/** Our transaction as the outbox's (see `asOutboxDb`): for `OutboxRelay.enqueue`. */
export function outboxTrx(trx: VideoTrx): Transaction<OutboxTables> {
  return trx as unknown as Transaction<OutboxTables>;
}
