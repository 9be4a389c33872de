/**
 * Call set-up milestones as User Timing marks (`performance.mark("call:<name>")`), so the time
 * between a Join click and the first remote frame can be split into its parts (bench scenario 6
 * reads them; any browser's performance panel shows them). Names only: no ids, no personal data.
 */
export type CallMark =
  | "join-requested"
  | "join-answered"
  | "media-requested"
  | "media-ready"
  | "socket-open"
  | "welcome"
  | "offer-sent"
  | "offer-received"
  | "answer-sent"
  | "answer-received"
  | "remote-track"
  | "peer-connected";

export const CALL_MARK_PREFIX = "call:";

export function markCall(name: CallMark): void {
  try {
    globalThis.performance?.mark?.(`${CALL_MARK_PREFIX}${name}`);
  } catch {
    // User Timing missing or refused: the call does not depend on it.
  }
}
