import { type Static, Type } from "typebox";
import { AppointmentId, ClinicId, idPattern, NullableTimestamp, SessionId, Timestamp, UserId } from "./common.ts";
import { SingleLineText } from "./text.ts";
import { UsageStatus } from "./video.ts";

// ---------------------------------------------------------------------------------------
// Signed webhooks of the video service (Standard Webhooks, https://www.standardwebhooks.com):
// the registration endpoints' schemas and the payloads receivers get. Payloads carry ids and
// times only: never names, notes or tokens.
// ---------------------------------------------------------------------------------------

export const WebhookEventTypes = {
  sessionStarted: "session.started",
  sessionEnded: "session.ended",
  sessionNotesUpdated: "session.notes_updated",
  usageThresholdCrossed: "usage.threshold_crossed",
} as const;

/** An enum (not a union of literals), so an unknown event is refused with the list of allowed ones. */
export const WebhookEventType = Type.Enum(
  ["session.started", "session.ended", "session.notes_updated", "usage.threshold_crossed"],
  { description: "session.started | session.ended | session.notes_updated | usage.threshold_crossed" },
);
export type WebhookEventType = (typeof WebhookEventTypes)[keyof typeof WebhookEventTypes];

export const WebhookId = Type.String({
  pattern: `^whk-${idPattern.uuid}$`,
  description: "whk-<uuid>",
  examples: ["whk-123e4567-e89b-12d3-a456-426614174000"],
});
export const WebhookMessageId = Type.String({
  pattern: "^msg_[A-Za-z0-9_-]{16,64}$",
  description: "msg_<random>: sent as the `webhook-id` header, the same on every attempt",
});

export const WebhookIdParams = Type.Object({ webhook_id: WebhookId }, { additionalProperties: false });

export const CreateWebhookBody = Type.Object(
  {
    url: SingleLineText({
      minLength: 1,
      maxLength: 2048,
      description: "https (http outside production); no credentials; a public address (see README)",
      examples: ["https://ehr.example.org/hooks/video"],
    }),
    events: Type.Array(WebhookEventType, { minItems: 1, maxItems: 4, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

const endpointFields = {
  id: WebhookId,
  url: Type.String(),
  events: Type.Array(WebhookEventType),
  created_at: Timestamp,
};

/** The only answer that carries the signing secret. */
export const CreateWebhookResponse = Type.Object({
  ...endpointFields,
  secret: Type.String({
    pattern: "^whsec_[A-Za-z0-9+/]+={0,2}$",
    description: "whsec_<base64 of 32 random bytes>: shown once, keep it; it verifies every delivery",
  }),
});
export type CreateWebhookResponse = Static<typeof CreateWebhookResponse>;

export const WebhookDeliveryStatus = Type.Union([
  Type.Literal("PENDING"),
  Type.Literal("DELIVERED"),
  Type.Literal("FAILED"),
]);
export type WebhookDeliveryStatus = Static<typeof WebhookDeliveryStatus>;

export const WebhookDeliverySummary = Type.Object({
  pending: Type.Integer({ minimum: 0 }),
  delivered: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  last_failure_at: NullableTimestamp,
  last_failure_status_code: Type.Union([Type.Integer(), Type.Null()], {
    description: "the receiver's HTTP status; null for a timeout, refused address or network error",
  }),
  last_failure_error: Type.Union([Type.String(), Type.Null()]),
});

export const WebhookSummary = Type.Object({ ...endpointFields, deliveries: WebhookDeliverySummary });
export type WebhookSummary = Static<typeof WebhookSummary>;

export const ListWebhooksResponse = Type.Object({ webhooks: Type.Array(WebhookSummary) });
export type ListWebhooksResponse = Static<typeof ListWebhooksResponse>;

export const ListWebhookDeliveriesQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
export type ListWebhookDeliveriesQuery = Static<typeof ListWebhookDeliveriesQuery>;

export const WebhookDelivery = Type.Object({
  message_id: WebhookMessageId,
  event_type: WebhookEventType,
  status: WebhookDeliveryStatus,
  attempts: Type.Integer({ minimum: 0 }),
  created_at: Timestamp,
  next_attempt_at: NullableTimestamp,
  last_attempt_at: NullableTimestamp,
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  delivered_at: NullableTimestamp,
  failed_at: NullableTimestamp,
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const ListWebhookDeliveriesResponse = Type.Object({
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  deliveries: Type.Array(WebhookDelivery, { description: "newest first" }),
});
export type ListWebhookDeliveriesResponse = Static<typeof ListWebhookDeliveriesResponse>;

// --- What a receiver gets: {type, timestamp, data} ----------------------------------------

const sessionFacts = {
  session_id: SessionId,
  appointment_id: AppointmentId,
  clinic_id: ClinicId,
  doctor_id: UserId,
  patient_id: UserId,
};

export const SessionStartedWebhookData = Type.Object({ ...sessionFacts, start_time: Timestamp });
export const SessionEndedWebhookData = Type.Object({
  ...sessionFacts,
  start_time: Timestamp,
  end_time: Timestamp,
  duration_seconds: Type.Integer({ minimum: 0 }),
  end_reason: Type.Union([Type.Literal("ENDED_BY_DOCTOR"), Type.Literal("IDLE_TIMEOUT")]),
});
export const SessionNotesUpdatedWebhookData = Type.Object({
  ...sessionFacts,
  updated_at: Timestamp,
  /** Which fields changed; never their content. */
  updated_fields: Type.Array(Type.Union([Type.Literal("notes"), Type.Literal("quality_rating")])),
});
export const UsageThresholdCrossedWebhookData = Type.Object({
  clinic_id: ClinicId,
  month: Type.String({ pattern: "^[0-9]{4}-(0[1-9]|1[0-2])$" }),
  threshold_percent: Type.Union([Type.Literal(50), Type.Literal(80), Type.Literal(100)]),
  /** The status this threshold opens: 50 → WARNING, 80 → CRITICAL, 100 → EXCEEDED (above 100 %). */
  status: UsageStatus,
  usage_percentage: Type.Number(),
  total_attendee_minutes: Type.Number(),
  free_tier_limit: Type.Integer(),
});

export interface WebhookDataByType {
  "session.started": Static<typeof SessionStartedWebhookData>;
  "session.ended": Static<typeof SessionEndedWebhookData>;
  "session.notes_updated": Static<typeof SessionNotesUpdatedWebhookData>;
  "usage.threshold_crossed": Static<typeof UsageThresholdCrossedWebhookData>;
}

/** The JSON body of every delivery (Standard Webhooks' recommended shape). */
export type WebhookPayload = {
  [T in WebhookEventType]: { type: T; timestamp: string; data: WebhookDataByType[T] };
}[WebhookEventType];

export const WebhookDataSchemas = {
  "session.started": SessionStartedWebhookData,
  "session.ended": SessionEndedWebhookData,
  "session.notes_updated": SessionNotesUpdatedWebhookData,
  "usage.threshold_crossed": UsageThresholdCrossedWebhookData,
} as const;
