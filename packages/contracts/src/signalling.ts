import { type Static, Type } from "typebox";
import { AttendeeStatus, UserType } from "./attendee.ts";

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
 * The messages are the TypeBox schemas below; their types are derived from them.
 */

/** WebSocket close codes the server uses (4000–4999 are free for applications). */
export const SignalCloseCodes = {
  invalidToken: 4401,
  forbidden: 4403,
  sessionNotFound: 4404,
  replaced: 4409,
  sessionEnded: 4410,
  /** The session's doctor removed this person from the call: final, never retried (a rejoin needs a new invite). */
  removed: 4411,
  heartbeatTimeout: 4408,
  badMessage: 4400,
  /** RFC 6455's "try again later": too many connects from this address or with this token in a minute. */
  tryAgainLater: 1013,
  /**
   * The instance cannot serve signalling right now (it lost its Redis, which links it to the
   * other instances): reconnect with backoff, the same join token is still good.
   */
  unavailable: 4503,
} as const;

/** The client sends a heartbeat this often; the server closes a connection silent for the timeout. */
export const SIGNAL_HEARTBEAT_INTERVAL_MS = 10_000;
export const SIGNAL_HEARTBEAT_TIMEOUT_MS = 30_000;

/**
 * A socket opened without `?token` authenticates with its first frame, `SignalAuth`, within
 * this time (else it is refused as a missing token, 4401): a browser can open the socket while
 * its POST /join is under way and send the join token the moment it has it, instead of
 * starting the socket's opening only then. With `?token` nothing changes.
 */
export const SIGNAL_AUTH_TIMEOUT_MS = 10_000;

export { signallingPathOf } from "./socket-paths.ts";

/** The largest signalling frame the video service accepts, and the gateway lets through (an SDP fits). */
export const SIGNAL_MAX_FRAME_BYTES = 64 * 1024;

/**
 * `to` of an `offer`/`answer`/`ice` a newcomer sends before its `welcome` has named anyone:
 * the first attendee that `welcome` lists (not itself, status CONNECTED), the one it offers to
 * first. The offer prepared while the socket opened thus goes out with the socket's first
 * frames instead of a round trip after `welcome`; the server relays it once the connection is
 * registered and drops it silently when `welcome` named nobody (alone, or in the waiting room).
 */
export const SIGNAL_WELCOME_PEER = "@welcome-peer";

const AttendeeRef = Type.String({ minLength: 1, maxLength: 100 });
const Sdp = Type.String({ minLength: 1, maxLength: 60_000 });

/** The part of RTCIceCandidateInit that crosses the wire (no DOM types in Node). */
export const RTCIceCandidateLike = Type.Object({
  candidate: Type.String({ maxLength: 2_000 }),
  sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  sdpMLineIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1000 }), Type.Null()])),
  usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
});
export type RTCIceCandidateLike = Static<typeof RTCIceCandidateLike>;
const Candidate = Type.Union([RTCIceCandidateLike, Type.Null()]);

/** "audio-only": the sender's link is too weak for video (weak-network adaptation); "video": recovered. */
export const QualityMode = Type.Union([Type.Literal("audio-only"), Type.Literal("video")]);
export type QualityMode = Static<typeof QualityMode>;

export const SignalAttendee = Type.Object({
  attendee_id: Type.String(),
  user_id: Type.String(),
  user_type: UserType,
  name: Type.String(),
  status: AttendeeStatus,
});
export type SignalAttendee = Static<typeof SignalAttendee>;

/** A patient in the waiting room, as the session's doctor sees them (`lobby`). */
export const WaitingAttendee = Type.Object({
  attendee_id: Type.String(),
  name: Type.String(),
  /** When this connection started waiting (ISO 8601). */
  since: Type.String(),
});
export type WaitingAttendee = Static<typeof WaitingAttendee>;

/** What a client may send; the server checks every frame against it (unknown fields refused). */
export const ClientSignalSchema = Type.Union([
  Type.Object({ type: Type.Literal("offer"), to: AttendeeRef, sdp: Sdp }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal("answer"), to: AttendeeRef, sdp: Sdp }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal("ice"), to: AttendeeRef, candidate: Candidate }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal("media"), audio: Type.Boolean(), video: Type.Boolean() },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal("heartbeat") }, { additionalProperties: false }),
  // Weak-network adaptation (issue 12): this side dropped its video to keep the audio, or got it back.
  Type.Object({ type: Type.Literal("quality-mode"), mode: QualityMode }, { additionalProperties: false }),
]);
export type ClientSignal = Static<typeof ClientSignalSchema>;

/** The first frame of a socket opened without `?token` (SIGNAL_AUTH_TIMEOUT_MS); never a frame after it. */
export const SignalAuthSchema = Type.Object(
  { type: Type.Literal("auth"), token: Type.String({ minLength: 1, maxLength: 4_096 }) },
  { additionalProperties: false },
);
export type SignalAuth = Static<typeof SignalAuthSchema>;

/** What the server sends (`from` is stamped by the server). */
export const ServerSignalSchema = Type.Union([
  Type.Object({
    type: Type.Literal("welcome"),
    session_id: Type.String(),
    attendee_id: Type.String(),
    attendees: Type.Array(SignalAttendee),
  }),
  Type.Object({ type: Type.Literal("attendee.joined"), attendee: SignalAttendee }),
  Type.Object({ type: Type.Literal("attendee.left"), attendee_id: Type.String() }),
  Type.Object({ type: Type.Literal("offer"), from: Type.String(), sdp: Type.String() }),
  Type.Object({ type: Type.Literal("answer"), from: Type.String(), sdp: Type.String() }),
  Type.Object({ type: Type.Literal("ice"), from: Type.String(), candidate: Candidate }),
  Type.Object({ type: Type.Literal("media"), from: Type.String(), audio: Type.Boolean(), video: Type.Boolean() }),
  Type.Object({ type: Type.Literal("heartbeat") }),
  Type.Object({ type: Type.Literal("quality-mode"), from: Type.String(), mode: QualityMode }),
  Type.Object({
    type: Type.Literal("session.ended"),
    session_id: Type.String(),
    reason: Type.Union([Type.Literal("ENDED_BY_DOCTOR"), Type.Literal("IDLE_TIMEOUT")]),
  }),
  Type.Object({ type: Type.Literal("replaced") }),
  // Waiting room (issue 12): to a patient not yet admitted (after an empty `welcome`), again when the position changes.
  Type.Object({ type: Type.Literal("waiting"), position: Type.Integer({ minimum: 1 }), doctor_name: Type.String() }),
  // Waiting room: the doctor let this patient in; offer to each attendee listed, as after `welcome`.
  Type.Object({ type: Type.Literal("admitted"), attendees: Type.Array(SignalAttendee) }),
  // Waiting room: to the session's doctor, on connect and whenever who waits (or auto-admit) changes.
  Type.Object({ type: Type.Literal("lobby"), auto_admit: Type.Boolean(), waiting: Type.Array(WaitingAttendee) }),
  // Participant control (issue 12): the doctor asks this client to mute its microphone (a request:
  // the person may unmute again), and tells it it was removed (then the socket closes with 4411).
  Type.Object({ type: Type.Literal("mute.requested"), by: Type.Literal("DOCTOR") }),
  Type.Object({ type: Type.Literal("removed") }),
  Type.Object({ type: Type.Literal("error"), code: Type.String(), message: Type.String() }),
]);
export type ServerSignal = Static<typeof ServerSignalSchema>;
