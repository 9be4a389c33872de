import { Type } from "typebox";
import type { AttendeeStatus, UserType } from "./video.ts";

/**
 * The embedded media provider's signalling protocol, over
 * `GET /api/video/sessions/{session_id}/signal?token=<join_token>` (WebSocket; browsers
 * cannot set headers on a WebSocket, so the short-lived join token rides in the query and
 * is never logged). JSON text frames, one message each.
 *
 * Who offers: a newly connected attendee receives `welcome` listing the attendees already
 * connected and sends an `offer` to each; those already there receive `attendee.joined`
 * and wait for the offer. `to`/`from` are attendee ids; the server relays only between
 * attendees of the same meeting and stamps `from` itself (a client cannot spoof it).
 */
export interface SignalAttendee {
  attendee_id: string;
  user_id: string;
  user_type: UserType;
  name: string;
  status: AttendeeStatus;
}

export type ClientSignal =
  | { type: "offer"; to: string; sdp: string }
  | { type: "answer"; to: string; sdp: string }
  | { type: "ice"; to: string; candidate: RTCIceCandidateLike | null }
  | { type: "media"; audio: boolean; video: boolean }
  | { type: "heartbeat" };

export type ServerSignal =
  | { type: "welcome"; session_id: string; attendee_id: string; attendees: SignalAttendee[] }
  | { type: "attendee.joined"; attendee: SignalAttendee }
  | { type: "attendee.left"; attendee_id: string }
  | { type: "offer"; from: string; sdp: string }
  | { type: "answer"; from: string; sdp: string }
  | { type: "ice"; from: string; candidate: RTCIceCandidateLike | null }
  | { type: "media"; from: string; audio: boolean; video: boolean }
  | { type: "heartbeat" }
  | { type: "session.ended"; session_id: string; reason: "ENDED_BY_DOCTOR" | "IDLE_TIMEOUT" }
  | { type: "replaced" }
  | { type: "error"; code: string; message: string };

/** The part of RTCIceCandidateInit that crosses the wire (no DOM types in Node). */
export interface RTCIceCandidateLike {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** WebSocket close codes the server uses (4000–4999 are free for applications). */
export const SignalCloseCodes = {
  invalidToken: 4401,
  forbidden: 4403,
  sessionNotFound: 4404,
  replaced: 4409,
  sessionEnded: 4410,
  heartbeatTimeout: 4408,
  badMessage: 4400,
} as const;

/** The client sends a heartbeat this often; the server closes a connection silent for the timeout. */
export const SIGNAL_HEARTBEAT_INTERVAL_MS = 10_000;
export const SIGNAL_HEARTBEAT_TIMEOUT_MS = 30_000;

const AttendeeRef = Type.String({ minLength: 1, maxLength: 100 });
const Sdp = Type.String({ minLength: 1, maxLength: 60_000 });
const IceCandidate = Type.Object({
  candidate: Type.String({ maxLength: 2_000 }),
  sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  sdpMLineIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1000 }), Type.Null()])),
  usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
});

/** The server checks every client frame against this schema (the `ClientSignal` union above). */
export const ClientSignalSchema = Type.Union([
  Type.Object({ type: Type.Literal("offer"), to: AttendeeRef, sdp: Sdp }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal("answer"), to: AttendeeRef, sdp: Sdp }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal("ice"), to: AttendeeRef, candidate: Type.Union([IceCandidate, Type.Null()]) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal("media"), audio: Type.Boolean(), video: Type.Boolean() },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal("heartbeat") }, { additionalProperties: false }),
]);
