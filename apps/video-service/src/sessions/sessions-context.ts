import type { OutboxRelay } from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";
import type { AppointmentsClient } from "../appointments/appointments.client.ts";
import type { VideoConfig } from "../config.ts";
import type { JoinTokens } from "../meetings/embedded/join-tokens.ts";
import type { TurnSettings } from "../meetings/embedded/turn-credentials.ts";
import type { MediaProvider } from "../meetings/media-provider.ts";
import { type MediaOperation, MediaProviderError } from "../meetings/media-provider-error.ts";
import type { VideoDb } from "../tables.ts";
import type { WebhookEvents } from "../webhooks/webhook-events.ts";
import type { ProviderDeletionEvents } from "./provider-cleanup.ts";
import type { Actor, SessionAccess } from "./session-access.ts";

/** Where the signalling hub hears about session changes made over HTTP or by the sweeper. */
export interface SessionNotifier {
  sessionEnded(sessionId: string, reason: "ENDED_BY_DOCTOR" | "IDLE_TIMEOUT"): void;
  attendeesReplaced(sessionId: string, attendeeIds: string[]): void;
  /** Waiting room: these people of the session were admitted (their connections, anywhere, are let in). */
  attendeesAdmitted(sessionId: string, userIds: string[]): void;
  /** Waiting room: who waits or auto-admit changed (the doctor's lobby and the patients' places are told again). */
  waitingChanged(sessionId: string): void;
  /** Participant control: asks the attendee's client, wherever it is connected, to mute its microphone. */
  muteRequested(sessionId: string, attendeeId: string): void;
  /** Participant control: the attendees' connections, wherever they are, get `removed` and close with 4411. */
  attendeesRemoved(sessionId: string, attendeeIds: string[]): void;
  /**
   * True while the attendee has an open signalling connection in this process or, with
   * replicas, on another live instance (its presence in Redis; assumed true while that
   * cannot be read, so a live attendance is never closed for want of an answer).
   */
  isConnected(sessionId: string, attendeeId: string): Promise<boolean>;
}

/** The dependencies of the session services, built once in app.ts. */
export interface SessionsContext {
  db: VideoDb;
  access: SessionAccess;
  provider: MediaProvider;
  /**
   * Signs the join tokens of the signalling socket. Under Chime the browser holds that socket
   * too (presence only), so attendance is recorded as for embedded calls (session-presence.ts).
   */
  joinTokens: JoinTokens;
  appointments: AppointmentsClient;
  notifier: SessionNotifier;
  /** Failed attempts to delete removed attendees at the provider (counted in video-metrics.ts). */
  providerDeletions: ProviderDeletionEvents;
  /**
   * The outbox relay: `notify` wakes it after a commit that enqueued an event; `enqueue` stores
   * an event claimed for it in the change's transaction, which `sendEnqueued` publishes after the commit.
   */
  relay: Pick<OutboxRelay, "notify" | "enqueue" | "sendEnqueued">;
  /** Webhook deliveries, enqueued in the change's own transaction (webhooks/webhook-events.ts). */
  webhooks: WebhookEvents;
  config: Pick<
    VideoConfig,
    | "JOIN_WINDOW_BEFORE_MIN"
    | "JOIN_WINDOW_AFTER_MIN"
    | "FREE_TIER_MINUTES"
    | "USAGE_LIMIT_POLICY"
    | "CLINIC_TIME_ZONE"
    | "IDLE_TIMEOUT_MIN"
    | "TELEHEALTH_CONSENT"
    | "ICE_TRANSPORT_POLICY"
  >;
  /** TURN_URLS/TURN_SECRET/TURN_TTL_S when set: every start and join hands out its own credential (embedded only). */
  turn: TurnSettings | undefined;
  now: () => Date;
  log: FastifyBaseLogger;
  /**
   * How long (real ms) a start waits for another start of the same session that is calling the
   * media provider, before 409 SESSION_STARTING (session-start.service.ts).
   */
  startWaitMs: number;
}

/** Who is asking and from where: the actor, their bearer token (forwarded) and our WebSocket base URL. */
export interface RequestContext {
  actor: Actor;
  bearerToken: string;
  signallingBase: string;
}

/** Calls the media provider; anything it throws that is not already typed becomes a 502. */
export async function callProvider<T>(
  provider: MediaProvider,
  operation: MediaOperation,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof MediaProviderError) throw err;
    throw new MediaProviderError(provider.name, operation, "UNKNOWN", {
      provider_error: err instanceof Error ? err.name : "unknown",
    });
  }
}
