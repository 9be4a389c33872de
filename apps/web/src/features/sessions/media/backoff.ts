/** Reconnect delays: 1 s, 2 s, 4 s … capped at 30 s; a bounded number of attempts. */
export const MAX_RECONNECT_ATTEMPTS = 8;

export function backoffDelayMs(attempt: number, baseMs = 1_000, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
}
