import type { QueryClient } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";
import { notesDraftQueryOptions } from "./get-notes-draft.ts";

type Operation = operations["saveNotesDraft"];
export type NotesDraftBody = Operation["requestBody"]["content"]["application/json"];

/** Replaces the server-side draft whole (the doctor's working copy of the notes). */
export const saveNotesDraft = (sessionId: string, body: NotesDraftBody) =>
  unwrap(
    videoClient.PUT("/api/video/sessions/{session_id}/notes/draft", {
      params: { path: { session_id: sessionId } },
      body,
    }),
  );

/**
 * Saves and keeps the draft query's cache equal to what the server now holds. Saves are
 * issued one at a time by `useNotesDraft`, which needs its own queue and status rather than
 * a mutation's.
 */
export async function saveNotesDraftAndCache(queryClient: QueryClient, sessionId: string, body: NotesDraftBody) {
  const saved = await saveNotesDraft(sessionId, body);
  queryClient.setQueryData(notesDraftQueryOptions(sessionId).queryKey, saved);
  return saved;
}
