import { authTokens } from "../../../lib/auth-tokens.ts";
import type { NotesValue } from "./notes-text.ts";

/**
 * Notes typed but not yet confirmed saved by the server, per doctor and session, in memory
 * only (never the browser's storage). They carry the newest text from the call window's
 * panel to the post-call panel when the call ends while a save is still pending or failed,
 * and back into a panel reopened after a sign-in expired. A reload forgets them, which is why
 * the page asks before unloading while there are any. Logging out forgets them too.
 */
const edits = new Map<string, NotesValue>();
const keyOf = (userId: string, sessionId: string) => `${userId} ${sessionId}`;

authTokens.subscribe((_state, reason) => {
  if (reason === "logout") edits.clear();
});

export const unsavedEdits = {
  get: (userId: string, sessionId: string) => edits.get(keyOf(userId, sessionId)) ?? null,
  set: (userId: string, sessionId: string, value: NotesValue) => void edits.set(keyOf(userId, sessionId), value),
  forget: (userId: string, sessionId: string) => void edits.delete(keyOf(userId, sessionId)),
};
