import type { MediaProviderName } from "@clinic/contracts";
import { AppError } from "@clinic/platform";

/** The four calls of the `MediaProvider` seam, named as in media-provider.ts. */
export type MediaOperation = "createMeeting" | "createAttendee" | "deleteAttendee" | "endMeeting";

/**
 * Why the media plane refused. Decides the sentence the user reads and whether trying again
 * can help; the provider's own wording stays in the server log, never in the response.
 */
export type MediaFailure =
  | "THROTTLED"
  | "UNAVAILABLE"
  | "ACCESS_DENIED"
  | "REJECTED"
  | "LIMIT_EXCEEDED"
  | "MEETING_NOT_FOUND"
  | "INVALID_RESPONSE"
  | "UNKNOWN";

const actions: Record<MediaOperation, string> = {
  createMeeting: "create the meeting",
  createAttendee: "add the attendee to the meeting",
  deleteAttendee: "remove the attendee from the meeting",
  endMeeting: "end the meeting",
};

const reasons: Record<MediaFailure, { text: string; retryable: boolean }> = {
  THROTTLED: { text: "it is receiving too many requests; try again in a few seconds", retryable: true },
  UNAVAILABLE: { text: "it is temporarily unavailable; try again shortly", retryable: true },
  ACCESS_DENIED: { text: "the service is not configured or authorised to use it; contact support", retryable: false },
  REJECTED: { text: "it rejected the request", retryable: false },
  LIMIT_EXCEEDED: { text: "the account has reached its meeting limit", retryable: false },
  MEETING_NOT_FOUND: { text: "the meeting no longer exists", retryable: false },
  INVALID_RESPONSE: { text: "it answered with an incomplete response", retryable: true },
  UNKNOWN: { text: "it failed unexpectedly", retryable: false },
};

/** What the server log may hold about the provider's own error (no credentials, no tokens). */
export interface MediaProviderErrorDetail {
  provider_error?: string;
  provider_request_id?: string;
  provider_status?: number;
}

/**
 * The media plane (Chime, or the embedded signalling backend) failed a call: 502 with
 * code MEDIA_PROVIDER_ERROR. The body names the provider, the operation, a reason and
 * whether a retry can help, so clients can say "try again" without parsing prose.
 */
export class MediaProviderError extends AppError {
  readonly retryable: boolean;

  constructor(
    readonly provider: MediaProviderName,
    readonly operation: MediaOperation,
    readonly reason: MediaFailure,
    readonly detail: MediaProviderErrorDetail = {},
  ) {
    const { text, retryable } = reasons[reason];
    super(502, "MEDIA_PROVIDER_ERROR", `The video provider could not ${actions[operation]}: ${text}`, {
      provider,
      operation,
      reason,
      retryable,
    });
    this.name = "MediaProviderError";
    this.retryable = retryable;
  }
}
