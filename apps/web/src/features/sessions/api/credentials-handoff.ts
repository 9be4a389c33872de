import type { CallCredentials } from "../media/call-state.ts";

/**
 * Start answers with the doctor's join token; the call window picks it up once. Kept in
 * memory (never in history state or storage), and taken at most once, so a reload or a second
 * tab asks POST /join for a fresh token instead.
 */
const pending = new Map<string, CallCredentials>();

export const credentialsHandoff = {
  put(credentials: CallCredentials) {
    pending.set(credentials.session_id, credentials);
  },
  take(sessionId: string): CallCredentials | null {
    const credentials = pending.get(sessionId) ?? null;
    pending.delete(sessionId);
    return credentials;
  },
};
