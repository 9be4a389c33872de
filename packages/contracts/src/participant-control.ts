import { type Static, Type } from "typebox";
import { SessionId, Timestamp, UserId } from "./common.ts";

/**
 * Participant control (issue 12): the session's doctor asks a participant's browser to mute its
 * microphone, or removes the participant from the call. Routes:
 * `POST /api/video/sessions/{session_id}/attendees/{attendee_id}/mute` and `…/remove`
 * (params: `SessionAttendeeParams` in video.ts).
 */

/** Neither takes anything: `{}` (a POST without a body is read as `{}`). */
export const ParticipantControlBody = Type.Object({}, { additionalProperties: false });
export type ParticipantControlBody = Static<typeof ParticipantControlBody>;

/** The mute request was sent to the participant's connection, wherever it is held. */
export const MuteAttendeeResponse = Type.Object({
  session_id: SessionId,
  attendee_id: Type.String(),
  /** Always REQUESTED: the participant's browser mutes, and the participant may unmute again. */
  status: Type.Literal("REQUESTED"),
  requested_at: Timestamp,
});
export type MuteAttendeeResponse = Static<typeof MuteAttendeeResponse>;

export const RemoveAttendeeResponse = Type.Object({
  session_id: SessionId,
  attendee_id: Type.String(),
  /** The person removed: every attendee of theirs in this session is closed, and a rejoin needs a new invite. */
  user_id: UserId,
  status: Type.Literal("REMOVED"),
  removed_at: Timestamp,
});
export type RemoveAttendeeResponse = Static<typeof RemoveAttendeeResponse>;
