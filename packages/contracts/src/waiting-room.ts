import { type Static, Type } from "typebox";
import { SessionId, Timestamp, UserId } from "./common.ts";

/**
 * The waiting room (issue 12): a patient who connects is held until the session's doctor
 * admits them (`POST …/attendees/{attendee_id}/admit`), unless the doctor turned auto-admit on
 * for the session (`PUT …/waiting-room`). Admission is the server's, per person and session.
 */

export const AdmitAttendeeResponse = Type.Object({
  session_id: SessionId,
  attendee_id: Type.String(),
  user_id: UserId,
  /** When the person was admitted (the first time, if the doctor admitted them before). */
  admitted_at: Timestamp,
  admitted_by: UserId,
});
export type AdmitAttendeeResponse = Static<typeof AdmitAttendeeResponse>;

export const WaitingRoomBody = Type.Object(
  { auto_admit: Type.Boolean({ description: "Let the appointment's patient in without waiting for Admit" }) },
  { additionalProperties: false },
);
export type WaitingRoomBody = Static<typeof WaitingRoomBody>;

export const WaitingRoomResponse = Type.Object({
  session_id: SessionId,
  auto_admit: Type.Boolean(),
  /** Attendees admitted by this change (turning auto-admit on lets in whoever waits). */
  admitted_attendee_ids: Type.Array(Type.String()),
});
export type WaitingRoomResponse = Static<typeof WaitingRoomResponse>;
