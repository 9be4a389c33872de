import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

export type EndSessionResponse = operations["endSession"]["responses"][200]["content"]["application/json"];

/** Ends the meeting for everyone; notes and rating follow in the notes panel. */
export const endSession = (sessionId: string) =>
  unwrap(
    videoClient.POST("/api/video/sessions/{session_id}/end", {
      params: { path: { session_id: sessionId } },
      body: {},
    }),
  );

export function useEndSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: endSession,
    onSuccess: (_response, sessionId) => {
      void queryClient.invalidateQueries({ queryKey: ["sessions"] });
      void queryClient.invalidateQueries({ queryKey: ["appointments"] });
      void queryClient.invalidateQueries({ queryKey: ["usage"] });
      void queryClient.invalidateQueries({ queryKey: ["sessions", "detail", sessionId] });
    },
  });
}
