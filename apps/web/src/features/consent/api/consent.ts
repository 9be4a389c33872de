import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

export type ConsentText = operations["getConsentText"]["responses"][200]["content"]["application/json"];
export type ConsentAnswer = NonNullable<operations["recordConsent"]["requestBody"]>["content"]["application/json"];
export type RecordedConsent = operations["recordConsent"]["responses"][200]["content"]["application/json"];

export const consentTextQueryOptions = () =>
  queryOptions({
    queryKey: ["consent-text"],
    queryFn: () => unwrap(videoClient.GET("/api/video/consent-text")),
    // The patient must answer the text the clinic has now, not one cached from earlier.
    staleTime: 0,
  });

export const useConsentText = (enabled = true) => useQuery({ ...consentTextQueryOptions(), enabled });

/**
 * Records the patient's answer; afterwards the session (which carries the latest answer) is
 * read again, so the page moves on by what the server stored.
 */
export function useRecordConsent(sessionId: string, onRecorded: (answer: RecordedConsent) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ConsentAnswer) =>
      unwrap(
        videoClient.POST("/api/video/sessions/{session_id}/consent", {
          params: { path: { session_id: sessionId } },
          body,
        }),
      ),
    onSuccess: async (answer) => {
      await queryClient.invalidateQueries({ queryKey: ["sessions", "detail", sessionId] });
      onRecorded(answer);
    },
    onError: async () => {
      // An outdated text (409) or any refusal: show the clinic's current text again.
      await queryClient.invalidateQueries({ queryKey: consentTextQueryOptions().queryKey });
    },
  });
}

export type ConsentTextUpdate = NonNullable<
  operations["updateConsentText"]["requestBody"]
>["content"]["application/json"];

/** A clinic admin publishes a new version of the clinic's consent text. */
export function useUpdateConsentText() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ConsentTextUpdate) => unwrap(videoClient.PUT("/api/video/consent-text", { body })),
    onSuccess: (saved) => queryClient.setQueryData(consentTextQueryOptions().queryKey, saved),
  });
}
