import {
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
} from "@aws-sdk/client-chime-sdk-meetings";
import type { Attendee, CreateAttendeeInput, CreateMeetingInput, MediaProvider, Meeting } from "../media-provider.ts";
import type { MediaOperation } from "../media-provider-error.ts";
import { MediaProviderError } from "../media-provider-error.ts";
import { isNotFound, toMediaProviderError } from "./chime-errors.ts";
import { assertMediaRegion, chimeExternalUserId, chimeMeetingKeys, DEFAULT_MEDIA_REGION } from "./chime-ids.ts";

/** The two methods we use, so a pino logger, Fastify's `app.log` or a test double fit. */
export interface ChimeLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ChimeMediaProviderOptions {
  /** Injected in tests and by callers that share one client; otherwise built from the AWS environment. */
  client?: ChimeSDKMeetingsClient;
  /** Control-plane region of the API calls; default: the SDK chain (AWS_REGION, profile). */
  region?: string;
  /** Where the media is hosted; default AWS_REGION, else us-east-1. */
  mediaRegion?: string;
  logger?: ChimeLogger;
  /** Deadline of one call, its retries included; default `CHIME_MAX_CALL_MS`. */
  callDeadlineMs?: number;
}

/** Per try: the SDK's HTTP handler gives up connecting after 3 s and on the whole request after 10 s. */
const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 3;
/**
 * The SDK's waits between tries (standard retries): at most 1 s, then 2 s (after throttling),
 * each stretched by at most 5 s when AWS asks for more with Retry-After.
 */
const RETRY_WAITS_MS = 1_000 + 2_000 + (MAX_ATTEMPTS - 1) * 5_000;
/**
 * The longest one Chime call takes, every try and wait included (43 s). Enforced with an abort
 * signal on each call, so it holds whatever the client (an injected one, credential lookups).
 */
export const CHIME_MAX_CALL_MS = MAX_ATTEMPTS * REQUEST_TIMEOUT_MS + RETRY_WAITS_MS;

const silent: ChimeLogger = { debug() {}, warn() {} };

/**
 * Amazon Chime SDK meetings behind the MediaProvider seam. Credentials come
 * from the SDK's default chain (environment, shared profile, container/instance role).
 *
 * Not transactional: if createAttendee fails after createMeeting succeeded, the caller
 * (the sessions service) compensates with endMeeting before reporting the error, so no
 * session is left pointing at a half-made meeting. Chime also ends a meeting nobody joins
 * within five minutes, which bounds the cost if even the compensation fails.
 */
export function createChimeMediaProvider(options: ChimeMediaProviderOptions = {}): MediaProvider {
  const logger = options.logger ?? silent;
  const deadlineMs = options.callDeadlineMs ?? CHIME_MAX_CALL_MS;
  // Checked now so a mistyped region stops start-up instead of every meeting start.
  const mediaRegion = assertMediaRegion(options.mediaRegion ?? process.env.AWS_REGION ?? DEFAULT_MEDIA_REGION);
  const client =
    options.client ??
    new ChimeSDKMeetingsClient({
      ...(options.region ? { region: options.region } : {}),
      // The SDK default is to wait forever on a silent socket; a start/join request must not.
      // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
      requestHandler: {
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      },
      maxAttempts: MAX_ATTEMPTS,
    });

  async function call<T>(
    operation: MediaOperation,
    ids: Record<string, string>,
    run: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    try {
      return await run(AbortSignal.timeout(deadlineMs));
    } catch (err) {
      const error = toMediaProviderError(operation, err);
      logger.warn({ provider: "chime", operation, ...ids, reason: error.reason, ...error.detail }, "chime call failed");
      throw error;
    }
  }

  /** DeleteAttendee/DeleteMeeting on something already gone has reached the goal: not an error. */
  async function remove(
    operation: MediaOperation,
    ids: Record<string, string>,
    run: (abortSignal: AbortSignal) => Promise<unknown>,
  ) {
    await call(operation, ids, async (abortSignal) => {
      try {
        await run(abortSignal);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        logger.debug({ provider: "chime", operation, ...ids }, "already gone at chime");
      }
    });
  }

  return {
    name: "chime",
    iceServers: [],
    maxCallMs: deadlineMs,

    async createMeeting(input: CreateMeetingInput): Promise<Meeting> {
      const keys = chimeMeetingKeys(input.session_id, input.request_token);
      const ids = { session_id: input.session_id };
      const output = await call("createMeeting", ids, (abortSignal) =>
        client.send(new CreateMeetingCommand({ ...keys, MediaRegion: mediaRegion }), { abortSignal }),
      );
      const meeting = output.Meeting;
      const placement = meeting?.MediaPlacement;
      if (!meeting?.MeetingId || !placement?.AudioHostUrl || !placement.SignalingUrl) {
        logger.warn({ provider: "chime", operation: "createMeeting", ...ids }, "chime meeting without media placement");
        throw new MediaProviderError("chime", "createMeeting", "INVALID_RESPONSE");
      }
      logger.debug({ provider: "chime", ...ids, meeting_id: meeting.MeetingId }, "chime meeting created");
      return {
        meeting_id: meeting.MeetingId,
        media_urls: {
          audio_host_url: placement.AudioHostUrl,
          // Chime has no separate video host; ScreenDataUrl is the closest, else the audio host.
          video_host_url: placement.ScreenDataUrl ?? placement.AudioHostUrl,
          signaling_url: placement.SignalingUrl,
        },
        provider_data: meeting,
      };
    },

    async createAttendee(meeting: Meeting, input: CreateAttendeeInput): Promise<Attendee> {
      const ids = { session_id: input.session_id, meeting_id: meeting.meeting_id };
      const externalUserId = chimeExternalUserId(input.external_user_id);
      const output = await call("createAttendee", ids, (abortSignal) =>
        client.send(new CreateAttendeeCommand({ MeetingId: meeting.meeting_id, ExternalUserId: externalUserId }), {
          abortSignal,
        }),
      );
      const attendee = output.Attendee;
      if (!attendee?.AttendeeId || !attendee.JoinToken) {
        logger.warn({ provider: "chime", operation: "createAttendee", ...ids }, "chime attendee without join token");
        throw new MediaProviderError("chime", "createAttendee", "INVALID_RESPONSE");
      }
      logger.debug({ provider: "chime", ...ids, attendee_id: attendee.AttendeeId }, "chime attendee created");
      return {
        attendee_id: attendee.AttendeeId,
        join_token: attendee.JoinToken,
        // Our id, not the padded one: the sessions module matches attendees to users by it.
        external_user_id: input.external_user_id,
        provider_data: attendee,
      };
    },

    async deleteAttendee(meeting: Meeting, attendeeId: string): Promise<void> {
      const ids = { meeting_id: meeting.meeting_id, attendee_id: attendeeId };
      await remove("deleteAttendee", ids, (abortSignal) =>
        client.send(new DeleteAttendeeCommand({ MeetingId: meeting.meeting_id, AttendeeId: attendeeId }), {
          abortSignal,
        }),
      );
    },

    async endMeeting(meeting: Meeting): Promise<void> {
      const ids = { meeting_id: meeting.meeting_id };
      await remove("endMeeting", ids, (abortSignal) =>
        client.send(new DeleteMeetingCommand({ MeetingId: meeting.meeting_id }), { abortSignal }),
      );
    },
  };
}
