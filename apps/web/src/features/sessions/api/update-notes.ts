import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";
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
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionQueryOptions(sessionId).queryKey }),
  });
}
