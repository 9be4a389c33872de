import { counter, type EventBus, type MetricsRegistry, observedGauge, registerEventMetrics } from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";
import { CONSUMER } from "./appointments/appointment-events.ts";
import type { ProviderDeletionEvents } from "./sessions/provider-cleanup.ts";
import { countPendingDeletions } from "./sessions/provider-deletions.repository.ts";
import { countInProgress } from "./sessions/sessions.repository.ts";
import type { SignalHub } from "./signalling/signal-hub.ts";
import { asOutboxDb, type VideoDb } from "./tables.ts";
import { usedSecondsByClinic } from "./usage/usage-rollups.repository.ts";

/** The free-tier figure is summed at most this often, whatever the scrape interval. */
export const freeTierRefreshMs = 60_000;
/** Clinics reported, most used first: bounds the query's output and the series count. */
const freeTierMaxClinics = 500;

export interface VideoMetricsOptions {
  db: VideoDb;
  bus: EventBus;
  hub: SignalHub;
  now: () => Date;
  freeTierMinutes: number;
  /** CLINIC_TIME_ZONE: "this month" is the clinic's calendar month. */
  timeZone: string;
  log: FastifyBaseLogger;
  /** Failed attempts to delete removed attendees at the media provider. */
  providerDeletions: ProviderDeletionEvents;
}

/**
 * The video service's figures, read at scrape time: open signalling connections, sessions in
 * progress, the free-tier use of each clinic this month, and the outbox/inbox/bus figures.
 */
export function registerVideoMetrics(registry: MetricsRegistry, options: VideoMetricsOptions): void {
  const { db, hub, log } = options;
  registerEventMetrics(registry, { db: asOutboxDb(db), bus: options.bus, consumer: CONSUMER, log });
  observedGauge(registry, {
    name: "video_signalling_connections",
    help: "Signalling WebSockets open on this instance (authenticated attendees)",
    read: async () => hub.connectionCount,
    log,
  });
  if (hub.clustered) {
    // Replicas only: whether this instance reaches the others (Redis), and what it sends and hears.
    observedGauge(registry, {
      name: "video_signalling_fanout_up",
      help: "1 while this instance's signalling reaches the other instances (Redis), else 0 (new connects refused with 4503)",
      read: async () => (hub.fanoutUp ? 1 : 0),
      log,
    });
    const messages = counter(registry, {
      name: "video_signalling_fanout_messages_total",
      help: "Signalling messages published to (out) and received from (in) the other instances",
      labelNames: ["direction"] as const,
    });
    hub.observeFanout((direction) => messages.inc({ direction }));
  }
  observedGauge(registry, {
    name: "video_sessions_in_progress",
    help: "Video sessions started and not yet ended (all instances: read from the database)",
    read: () => countInProgress(db),
    log,
  });

  // Participant control: removed attendees whose seat at the provider (Chime) is not deleted
  // yet. Should fall back to 0 within seconds; a value that stays up means DeleteAttendee keeps
  // failing (docs/operations.md "Removing a participant").
  observedGauge(registry, {
    name: "video_provider_attendee_deletions_pending",
    help: "Removed attendees still to be deleted at the media provider, retried until done (all instances: read from the database)",
    read: () => countPendingDeletions(db),
    log,
  });
  const deletionFailures = counter(registry, {
    name: "video_provider_attendee_deletion_failures_total",
    help: "Failed attempts to delete a removed attendee at the media provider, by reason (each is retried)",
    labelNames: ["reason"] as const,
  });
  options.providerDeletions.observeFailures((reason) => deletionFailures.inc({ reason }));

  let freeTier: { at: number; value: Promise<{ clinic_id: string; seconds: number }[]> } | undefined;
  observedGauge(registry, {
    name: "video_free_tier_used_ratio",
    help: `Share of the monthly free tier (attendee-minutes) each clinic has used this month (CLINIC_TIME_ZONE); 1 = all of it (at most ${freeTierMaxClinics} clinics, refreshed every ${freeTierRefreshMs / 1000} s)`,
    labelNames: ["clinic_id"],
    read: async () => {
      const at = options.now();
      if (!freeTier || Math.abs(at.getTime() - freeTier.at) >= freeTierRefreshMs) {
        const value = usedSecondsByClinic(db, options.timeZone, at, freeTierMaxClinics);
        // A failed read is not kept: the next scrape tries again.
        value.catch(() => {
          freeTier = undefined;
        });
        freeTier = { at: at.getTime(), value };
      }
      const limitSeconds = options.freeTierMinutes * 60;
      return (await freeTier.value).map((r) => ({
        labels: { clinic_id: r.clinic_id },
        value: r.seconds / limitSeconds,
      }));
    },
    log,
  });
}
