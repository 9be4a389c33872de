import { markCall } from "../media/call-marks.ts";
import type { CallCredentials } from "../media/call-state.ts";
import { openCameraAndMicrophone, releaseMedia } from "../media/devices.ts";
import { joinForCredentials } from "./join-session.ts";

/** A join (and the camera and microphone) asked for at the Join click, before the call screen renders. */
export interface JoinAhead {
  credentials: Promise<CallCredentials>;
  media: Promise<MediaStream>;
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
    return { credentials: entry.credentials, media: entry.media };
  },
  /** Not taken: the camera and microphone are released (the attendee stays JOINING, as a closed tab's would). */
  discard(sessionId: string): void {
    const entry = joinAhead.take(sessionId);
    if (entry) releaseMedia(entry.media);
  },
};
