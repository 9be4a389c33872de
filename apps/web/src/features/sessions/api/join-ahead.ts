import { signallingPathOf } from "@clinic/contracts/socket-paths";
import { markCall } from "../media/call-marks.ts";
import type { CallCredentials } from "../media/call-state.ts";
import { openCameraAndMicrophone, releaseMedia } from "../media/devices.ts";
import { signallingUrl } from "../media/signalling-url.ts";
import { joinForCredentials } from "./join-session.ts";

/** A join (and the camera and microphone) asked for at the Join click, before the call screen renders. */
export interface JoinAhead {
  credentials: Promise<CallCredentials>;
  media: Promise<MediaStream>;
  /**
   * The session's signalling socket, opened at the click without a token (the join token is
   * not known yet): the call engine sends it as the first frame once the join answers, if the
   * join's `signaling_url` is this socket's (else it closes it and opens its own).
   */
  socket: WebSocket | null;
}

/** The call screen takes a join within milliseconds; one nobody took by then releases the camera. */
const UNCLAIMED_MS = 15_000;

const pending = new Map<string, JoinAhead & { timer: ReturnType<typeof setTimeout> }>();

/**
 * The patient's Join click starts POST /join and the camera itself, rather than once the call
 * route has rendered and its effect runs (~20–30 ms later, bench/README.md Finding 18). Only
 * for a click that goes straight into the call: the caller checks the consent gate would let
 * it through (the server refuses a join without consent anyway). Kept in memory and taken at
 * most once, like `credentialsHandoff`.
 */
export const joinAhead = {
  start(sessionId: string): void {
    joinAhead.discard(sessionId);
    markCall("join-requested");
    const media = openCameraAndMicrophone();
    media.catch(() => undefined); // a refusal is the call engine's to explain (media-denied)
    const credentials = joinForCredentials(sessionId);
    credentials.catch(() => undefined); // the call screen awaits it and shows the error
    const entry = {
      credentials,
      media,
      socket: openSocketAhead(sessionId),
      timer: setTimeout(() => {
        if (pending.get(sessionId) === entry) joinAhead.discard(sessionId);
      }, UNCLAIMED_MS),
    };
    pending.set(sessionId, entry);
  },
  take(sessionId: string): JoinAhead | null {
    const entry = pending.get(sessionId);
    if (!entry) return null;
    pending.delete(sessionId);
    clearTimeout(entry.timer);
    return { credentials: entry.credentials, media: entry.media, socket: entry.socket };
  },
  /** Not taken: the camera and microphone are released (the attendee stays JOINING, as a closed tab's would). */
  discard(sessionId: string): void {
    const entry = joinAhead.take(sessionId);
    if (!entry) return;
    releaseMedia(entry.media);
    entry.socket?.close(1000, "unused");
  },
};

/**
 * The socket's opening (~35 ms through the gateway, more than the join itself on a quiet
 * machine, bench/README.md Finding 22) overlaps the join: opened now, authenticated by its
 * first frame. None where WebSocket is missing or refuses the URL: the engine opens its own.
 */
function openSocketAhead(sessionId: string): WebSocket | null {
  try {
    return new WebSocket(signallingUrl(signallingPathOf(sessionId), null, location));
  } catch {
    return null;
  }
}
