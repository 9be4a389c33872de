/**
 * The video service's WebSocket paths, in a module of their own with no imports: the patient's
 * first page opens the signalling socket at its Join click (bench/README.md Finding 22) and must
 * not load the schema library (typebox) to do it (apps/web build/first-load.test.ts).
 */

/** The path of a session's signalling socket on the video service (start/join's `signaling_url` for the embedded provider). */
export const signallingPathOf = (sessionId: string) => `/api/video/sessions/${sessionId}/signal`;

/** The pre-call check's WebSocket probe (connectivity.ts). */
export const SIGNAL_PROBE_PATH = "/api/video/signal-probe";
