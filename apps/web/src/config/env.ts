/** Client-side settings. The app has no secrets; everything else comes from the services. */
export const env = {
  /** How often waiting screens poll for the doctor to start (ms). */
  waitingPollMs: Number(import.meta.env.VITE_WAITING_POLL_MS ?? 4_000),
  /** How often the call window refreshes attendee status (ms). */
  attendeePollMs: Number(import.meta.env.VITE_ATTENDEE_POLL_MS ?? 3_000),
  /** The join window; the server enforces it, the UI only mirrors it. */
  joinWindowBeforeMin: Number(import.meta.env.VITE_JOIN_WINDOW_BEFORE_MIN ?? 10),
  joinWindowAfterMin: Number(import.meta.env.VITE_JOIN_WINDOW_AFTER_MIN ?? 30),
  /** The notes draft is saved this long after the doctor's last keystroke (and on blur). */
  notesDraftDebounceMs: Number(import.meta.env.VITE_NOTES_DRAFT_DEBOUNCE_MS ?? 1_000),
};
