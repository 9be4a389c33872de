import { queryOptions, useQuery } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

/** The draft, or the saved notes when there is none (`source` says which). */
export type NotesDraft = operations["getNotesDraft"]["responses"][200]["content"]["application/json"];

export const getNotesDraft = (sessionId: string) =>
  unwrap(
    videoClient.GET("/api/video/sessions/{session_id}/notes/draft", { params: { path: { session_id: sessionId } } }),
  );

export const notesDraftQueryOptions = (sessionId: string) =>
  queryOptions({ queryKey: ["sessions", "notes-draft", sessionId], queryFn: () => getNotesDraft(sessionId) });

/**
 * Always asked for afresh when a notes panel opens (a cached copy may be older than what
 * another panel saved since), and not again behind the doctor's back while they type.
 */
export const useNotesDraftQuery = (sessionId: string) =>
  useQuery({ ...notesDraftQueryOptions(sessionId), refetchOnMount: "always", refetchOnWindowFocus: false });
