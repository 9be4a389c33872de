import { randomBytes } from "node:crypto";
import type { UsageStatus, WebhookDataByType, WebhookEventType } from "@clinic/contracts";
import type { CarriedRead } from "@clinic/platform";
import type { EndReason, VideoTrx } from "../tables.ts";
import { monthOf, toMinutes, usagePercentage, usageStatus } from "../usage/usage-calculator.ts";
import { clinicMonthSeconds } from "../usage/usage-rollups.repository.ts";
import {
  byType,
  crossedThresholds,
  insertDeliveries,
  recordThresholds,
  type SubscribedEndpoint,
  subscribedEndpoints,
  subscribedEndpointsByType,
  subscribedEndpointsCarried,
} from "./webhooks.repository.ts";

/**
 * What the session services tell webhooks, always inside the transaction of the change
 * itself (the webhook outbox): a delivery per subscribed endpoint commits with the change or
 * not at all. The delivery worker sends them afterwards. Payloads hold ids and times only.
 */
export interface WebhookEvents {
  /**
   * `subscribed`: the rows of `sessionStartedEndpoints` read in this transaction (carried by its
   * outbox enqueue); read here when absent.
   */
  sessionStarted(trx: VideoTrx, session: SessionFacts, at: Date, subscribed?: SubscribedEndpoint[]): Promise<void>;
  /**
   * Also checks the clinic's usage thresholds (the session's intervals just closed).
   * `subscribed`: as `sessionStarted`'s, from `sessionEndedEndpoints`.
   */
  sessionEnded(trx: VideoTrx, session: SessionFacts, at: Date, subscribed?: SubscribedEndpoint[]): Promise<void>;
  notesUpdated(trx: VideoTrx, session: SessionFacts, fields: ("notes" | "quality_rating")[], at: Date): Promise<void>;
  /** Attendance intervals of the clinic closed: announce any usage threshold newly crossed this month. */
  intervalsClosed(trx: VideoTrx, clinicId: string, at: Date): Promise<void>;
}

export interface SessionFacts {
  session_id: string;
  appointment_id: string;
  clinic_id: string;
  doctor_id: string;
  patient_id: string;
  start_time: Date | null;
  end_time: Date | null;
  end_reason: EndReason | null;
}

/** 50 % opens WARNING, 80 % CRITICAL, above 100 % EXCEEDED (usage-calculator.ts `usageStatus`). */
const usageThresholds: { percent: 50 | 80 | 100; status: UsageStatus }[] = [
  { percent: 50, status: "WARNING" },
  { percent: 80, status: "CRITICAL" },
  { percent: 100, status: "EXCEEDED" },
];
const statusRank: Record<UsageStatus, number> = { HEALTHY: 0, WARNING: 1, CRITICAL: 2, EXCEEDED: 3 };

/** `msg_` + 24 url-safe characters (18 random bytes): the `webhook-id` of one delivery. */
const newMessageId = () => `msg_${randomBytes(18).toString("base64url")}`;

/** One delivery per endpoint of the clinic subscribed to `type`, in the caller's transaction. */
async function enqueueWebhook<T extends WebhookEventType>(
  trx: VideoTrx,
  clinicId: string,
  type: T,
  data: WebhookDataByType[T],
  at: Date,
  /** Read already (`subscribedEndpointsByType`), in this transaction. */
  subscribed?: { webhook_id: string }[],
): Promise<number> {
  const endpoints = subscribed ?? (await subscribedEndpoints(trx, clinicId, type));
  const body = JSON.stringify({ type, timestamp: at.toISOString(), data });
  await insertDeliveries(
    trx,
    endpoints.map((e) => ({
      message_id: newMessageId(),
      webhook_id: e.webhook_id,
      clinic_id: clinicId,
      event_type: type,
      body,
      status: "PENDING" as const,
      created_at: at,
      next_attempt_at: at,
      claim_id: null,
      locked_until: null,
      last_attempt_at: null,
      last_status_code: null,
      last_error: null,
      delivered_at: null,
      failed_at: null,
    })),
  );
  return endpoints.length;
}

const startedTypes: WebhookEventType[] = ["session.started"];
// Who listens for the end and for usage crossings, in one read.
const endedTypes: ("session.ended" | "usage.threshold_crossed")[] = ["session.ended", "usage.threshold_crossed"];

/** The endpoints `sessionStarted` delivers to, as a read for the start's outbox enqueue to carry. */
export function sessionStartedEndpoints(clinicId: string): CarriedRead<SubscribedEndpoint[]> {
  return subscribedEndpointsCarried(clinicId, startedTypes);
}

/** The endpoints `sessionEnded` delivers to (the end and usage crossings), as `sessionStartedEndpoints`. */
export function sessionEndedEndpoints(clinicId: string): CarriedRead<SubscribedEndpoint[]> {
  return subscribedEndpointsCarried(clinicId, endedTypes);
}

/** `timeZone`: CLINIC_TIME_ZONE, whose calendar months the thresholds are counted in. */
export function createWebhookEvents(options: { freeTierMinutes: number; timeZone: string }): WebhookEvents {
  const ids = (s: SessionFacts) => ({
    session_id: s.session_id,
    appointment_id: s.appointment_id,
    clinic_id: s.clinic_id,
    doctor_id: s.doctor_id,
    patient_id: s.patient_id,
  });

  const intervalsClosed = async (
    trx: VideoTrx,
    clinicId: string,
    at: Date,
    /** Read already, in this transaction. */
    subscribed?: { webhook_id: string }[],
  ) => {
    // The month's usage is summed only for a clinic that listens for crossings: every leave
    // and end of everyone else's calls stays free of it. A crossing nobody heard is announced
    // at the next check after an endpoint subscribes (still once per threshold and month).
    const listening = subscribed ?? (await subscribedEndpoints(trx, clinicId, "usage.threshold_crossed"));
    if (listening.length === 0) return;
    const month = monthOf(at, options.timeZone);
    const done = await crossedThresholds(trx, clinicId, month);
    if (done.length >= usageThresholds.length) return;
    // The month's rollup rows (this transaction's close already added to them) and open intervals.
    const total_seconds = await clinicMonthSeconds(trx, options.timeZone, clinicId, at);
    const percentage = usagePercentage(total_seconds, options.freeTierMinutes);
    const rank = statusRank[usageStatus(percentage)];
    const due = usageThresholds.filter((t) => statusRank[t.status] <= rank && !done.includes(t.percent));
    // The unique key decides who announces: a concurrent transaction that also saw the
    // crossing inserts nothing and sends nothing.
    const first = await recordThresholds(
      trx,
      clinicId,
      month,
      due.map((t) => t.percent),
      at,
    );
    for (const threshold of due.filter((t) => first.includes(t.percent))) {
      await enqueueWebhook(
        trx,
        clinicId,
        "usage.threshold_crossed",
        {
          clinic_id: clinicId,
          month,
          threshold_percent: threshold.percent,
          status: threshold.status,
          usage_percentage: percentage,
          total_attendee_minutes: toMinutes(total_seconds),
          free_tier_limit: options.freeTierMinutes,
        },
        at,
      );
    }
  };

  return {
    async sessionStarted(trx, session, at, carried) {
      await enqueueWebhook(
        trx,
        session.clinic_id,
        "session.started",
        { ...ids(session), start_time: (session.start_time ?? at).toISOString() },
        at,
        carried && byType(carried, ["session.started"])["session.started"],
      );
    },
    async sessionEnded(trx, session, at, carried) {
      const subscribed = carried
        ? byType(carried, endedTypes)
        : await subscribedEndpointsByType(trx, session.clinic_id, endedTypes);
      const start = session.start_time ?? at;
      const end = session.end_time ?? at;
      await enqueueWebhook(
        trx,
        session.clinic_id,
        "session.ended",
        {
          ...ids(session),
          start_time: start.toISOString(),
          end_time: end.toISOString(),
          // As the end answer and session details count it (session-views.ts durationSeconds).
          duration_seconds: Math.max(0, Math.floor((end.getTime() - start.getTime()) / 1000)),
          end_reason: session.end_reason ?? "ENDED_BY_DOCTOR",
        },
        at,
        subscribed["session.ended"],
      );
      await intervalsClosed(trx, session.clinic_id, at, subscribed["usage.threshold_crossed"]);
    },
    async notesUpdated(trx, session, fields, at) {
      await enqueueWebhook(
        trx,
        session.clinic_id,
        "session.notes_updated",
        { ...ids(session), updated_at: at.toISOString(), updated_fields: fields },
        at,
      );
    },
    intervalsClosed,
  };
}
