import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";
import { notesDraftQueryOptions } from "./get-notes-draft.ts";
import { sessionQueryOptions } from "./get-session.ts";

type Operation = operations["updateSessionNotes"];
export type NotesBody = NonNullable<Operation["requestBody"]>["content"]["application/json"];

export const updateNotes = (sessionId: string, body: NotesBody) =>
  unwrap(
    videoClient.PUT("/api/video/sessions/{session_id}/notes", { params: { path: { session_id: sessionId } }, body }),
  );

export function useUpdateNotes(sessionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NotesBody) => updateNotes(sessionId, body),
    // The server deleted the draft: the saved notes are what GET /notes/draft answers now.
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: sessionQueryOptions(sessionId).queryKey }),
        queryClient.invalidateQueries({ queryKey: notesDraftQueryOptions(sessionId).queryKey }),
      ]),
  });
}
