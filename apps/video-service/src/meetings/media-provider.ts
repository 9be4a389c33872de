import type { AwsMediaUrls, IceServer, MediaProviderName } from "@clinic/contracts";

/**
 * The seam between sessions and the media plane. Implementations:
 * `embedded/` (our WebRTC signalling) and `chime/` (Amazon Chime SDK meetings).
 * Meetings and attendees are stored by the sessions module; providers only create and
 * destroy them where the media flows.
 */
export interface Meeting {
  meeting_id: string;
  media_urls: AwsMediaUrls;
  /** Provider-specific object the browser needs (Chime: the `Meeting` from CreateMeeting). */
  provider_data: unknown;
}

export interface Attendee {
  attendee_id: string;
  join_token: string;
  external_user_id: string;
  /** Provider-specific object the browser needs (Chime: the `Attendee` from CreateAttendee). */
  provider_data: unknown;
}

export interface CreateMeetingInput {
  session_id: string;
  clinic_id: string;
  /**
   * One per start attempt (the start's reservation token, a UUID): the provider's idempotency
   * key (Chime: ClientRequestToken), so its own retries of this call get this attempt's meeting,
   * and a later attempt never gets a meeting an earlier one made (and maybe ended).
   */
  request_token: string;
}

export interface CreateAttendeeInput {
  session_id: string;
  /** Our user id; providers echo it as ExternalUserId. */
  external_user_id: string;
}

export interface MediaProvider {
  readonly name: MediaProviderName;
  /** ICE servers handed to browsers (embedded); empty for providers that bring their own. */
  readonly iceServers: IceServer[];
  /**
   * The longest one call may take before it answers or fails, its retries included (Chime:
   * enforced by a deadline on every call). Sizes a start's reservation (session-start.service.ts).
   */
  readonly maxCallMs: number;
  createMeeting(input: CreateMeetingInput): Promise<Meeting>;
  createAttendee(meeting: Meeting, input: CreateAttendeeInput): Promise<Attendee>;
  deleteAttendee(meeting: Meeting, attendeeId: string): Promise<void>;
  endMeeting(meeting: Meeting): Promise<void>;
}
