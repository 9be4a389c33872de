import { randomUUID } from "node:crypto";
import { type IceServer, signallingPathOf } from "@clinic/contracts";
import type { Attendee, CreateAttendeeInput, CreateMeetingInput, MediaProvider, Meeting } from "../media-provider.ts";
import type { JoinTokens } from "./join-tokens.ts";

/**
 * The default media plane: browsers talk WebRTC peer-to-peer and the video service is the
 * signalling server (signalling/). A meeting is an id plus the signalling path; an attendee
 * is an id plus a join token bound to it. `signaling_url` is stored as a path and made
 * absolute per request (the browser may reach us directly or through the gateway).
 *
 * Nothing is allocated outside our database, so deleting an attendee or ending a meeting
 * frees nothing here: the sessions service marks the rows and tells the signalling hub,
 * which closes the connections, and the connect check refuses replaced attendees.
 */
/** Embedded calls are local work (a meeting id, a signed join token): this allows a loaded event loop. */
const EMBEDDED_MAX_CALL_MS = 5_000;

/** The video service's signalling WebSocket of a session (also the Chime client's presence socket). */
export function signallingPath(sessionId: string): string {
  // The contracts' copy: a browser opens it before its join answers (SIGNAL_AUTH_TIMEOUT_MS).
  return signallingPathOf(sessionId);
}

export function createEmbeddedMediaProvider(options: {
  joinTokens: JoinTokens;
  iceServers: IceServer[];
}): MediaProvider {
  const iceUrls = options.iceServers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  return {
    name: "embedded",
    iceServers: options.iceServers,
    maxCallMs: EMBEDDED_MAX_CALL_MS,
    async createMeeting(input: CreateMeetingInput): Promise<Meeting> {
      return {
        meeting_id: `meeting-${randomUUID()}`,
        media_urls: {
          // For embedded these carry the ICE server URLs and the signalling URL.
          audio_host_url: iceUrls[0] ?? "",
          video_host_url: iceUrls[0] ?? "",
          signaling_url: signallingPath(input.session_id),
        },
        provider_data: null,
      };
    },
    async createAttendee(meeting: Meeting, input: CreateAttendeeInput): Promise<Attendee> {
      const attendeeId = `attendee-${randomUUID()}`;
      const joinToken = await options.joinTokens.issue({
        attendee_id: attendeeId,
        meeting_id: meeting.meeting_id,
        session_id: input.session_id,
        user_id: input.external_user_id,
      });
      return {
        attendee_id: attendeeId,
        join_token: joinToken,
        external_user_id: input.external_user_id,
        provider_data: null,
      };
    },
    async deleteAttendee(): Promise<void> {},
    async endMeeting(): Promise<void> {},
  };
}
