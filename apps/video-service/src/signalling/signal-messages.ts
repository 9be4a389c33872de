import { ClientSignalSchema, type RTCIceCandidateLike, SIGNAL_WELCOME_PEER } from "@clinic/contracts";
import type { FastifyBaseLogger } from "fastify";
import { Compile } from "typebox/compile";
import type { RawData } from "ws";
import type { SignalConnection, SignalHub } from "./signal-hub.ts";

const MESSAGES_PER_SECOND = 60;

/** Compiled once for every frame of every connection; its guard types the message as a ClientSignal. */
const clientSignal = Compile(ClientSignalSchema);

/**
 * A connection's rate window, kept on the connection object itself: one handler serves every
 * socket, so a connection holds no closure of its own.
 */
export interface RateWindow {
  windowStart: number;
  inWindow: number;
}

/**
 * What the server does with one client frame (protocol: contracts/src/signalling.ts):
 * validate it, then answer a heartbeat, broadcast media state, or relay offer/answer/ice to
 * one attendee of the same session with `from` stamped by the server. `nowMs`: the caller's
 * clock reading for this frame (read once per frame).
 */
export function handleSignal(
  hub: SignalHub,
  conn: SignalConnection & RateWindow,
  data: RawData,
  nowMs: number,
  log: FastifyBaseLogger,
): void {
  // A peer connection needs a burst of ICE candidates, not a flood: past the limit in one
  // second, frames are dropped (and said so once) so one client cannot swamp the others.
  if (nowMs - conn.windowStart >= 1000) {
    conn.windowStart = nowMs;
    conn.inWindow = 0;
  }
  if (++conn.inWindow > MESSAGES_PER_SECOND) {
    if (conn.inWindow === MESSAGES_PER_SECOND + 1) {
      hub.send(conn, { type: "error", code: "RATE_LIMITED", message: "Too many signalling messages" });
    }
    return;
  }
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch {
    message = undefined;
  }
  if (!clientSignal.Check(message)) {
    hub.send(conn, { type: "error", code: "BAD_MESSAGE", message: "Not a valid signalling message" });
    return;
  }
  const from = conn.attendee.attendee_id;
  // An offer (and its ICE) prepared before `welcome` named anyone goes to whom it named first;
  // dropped silently when it named nobody (alone, or in the waiting room): the newcomer closes
  // that offer when its `welcome` arrives, and whoever comes later offers to it.
  let to = "";
  if ("to" in message) {
    const addressee = message.to === SIGNAL_WELCOME_PEER ? conn.welcomePeer : message.to;
    if (!addressee) return;
    to = addressee;
  }
  // The waiting room (issue 12): until the doctor admits them, a patient sends nothing to anyone.
  if (conn.waiting && message.type !== "heartbeat") {
    hub.send(conn, {
      type: "error",
      code: "NOT_ADMITTED",
      message: "You are in the waiting room: the doctor has not let you in yet",
    });
    return;
  }
  switch (message.type) {
    case "heartbeat":
      hub.send(conn, { type: "heartbeat" });
      return;
    case "media":
      hub.broadcast(conn.sessionId, { type: "media", from, audio: message.audio, video: message.video }, from);
      return;
    // Weak-network adaptation: the others show "<name>'s connection is weak — audio only".
    case "quality-mode":
      hub.broadcast(conn.sessionId, { type: "quality-mode", from, mode: message.mode }, from);
      return;
    case "offer":
    case "answer":
      if (conn.presenceOnly) {
        presenceOnly(hub, conn);
        return;
      }
      if (!hub.relay(conn, to, { type: message.type, from, sdp: message.sdp })) unknownTarget(hub, conn, log);
      return;
    case "ice":
      if (conn.presenceOnly) {
        presenceOnly(hub, conn);
        return;
      }
      if (!hub.relay(conn, to, { type: "ice", from, candidate: candidateOf(message.candidate) })) {
        unknownTarget(hub, conn, log);
      }
      return;
  }
}

/**
 * Only the candidate's checked fields cross to the other side: the schema leaves the object
 * open (browsers' `toJSON` may grow), so anything else a client adds is not relayed.
 */
function candidateOf(c: RTCIceCandidateLike | null | undefined): RTCIceCandidateLike | null {
  if (!c) return null;
  const out: RTCIceCandidateLike = { candidate: c.candidate };
  if (c.sdpMid !== undefined) out.sdpMid = c.sdpMid;
  if (c.sdpMLineIndex !== undefined) out.sdpMLineIndex = c.sdpMLineIndex;
  if (c.usernameFragment !== undefined) out.usernameFragment = c.usernameFragment;
  return out;
}

/** Chime carries a Chime meeting's media: relaying WebRTC negotiation there would be pointless. */
function presenceOnly(hub: SignalHub, conn: SignalConnection) {
  hub.send(conn, {
    type: "error",
    code: "PRESENCE_ONLY",
    message: "This meeting's media runs on Amazon Chime: the signalling socket carries presence only",
  });
}

function unknownTarget(hub: SignalHub, conn: SignalConnection, log: FastifyBaseLogger) {
  log.debug({ attendeeId: conn.attendee.attendee_id }, "relay to an attendee not in this session");
  hub.send(conn, { type: "error", code: "UNKNOWN_ATTENDEE", message: "No such attendee in this session" });
}
