import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";
import type { CallCredentials } from "../media/call-state.ts";
import { credentialsHandoff } from "./credentials-handoff.ts";

export type StartSessionResponse = operations["startSession"]["responses"][200]["content"]["application/json"];

export const startSession = (appointmentId: string) =>
  unwrap(
    videoClient.POST("/api/video/sessions/{appointment_id}/start", {
      params: { path: { appointment_id: appointmentId } },
      body: { booking_type: "CLINIC_BASED" },
    }),
  );

export function credentialsFromStart(response: StartSessionResponse): CallCredentials {
  return {
    session_id: response.session_id,
    attendee_id: response.doctor_attendee.attendee_id,
    join_token: response.doctor_attendee.join_token,
    media_provider: response.media_provider ?? "embedded",
    signaling_url: response.aws_media_urls.signaling_url,
    ice_servers: response.ice_servers ?? [],
    ice_transport_policy: response.ice_transport_policy ?? "all",
    chime: response.chime ?? null,
  };
}

/** Starts the appointment's session and hands the doctor's join token to the call window. */
export function useStartSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: startSession,
    onSuccess: (response) => {
      credentialsHandoff.put(credentialsFromStart(response));
      void queryClient.invalidateQueries({ queryKey: ["sessions"] });
      void queryClient.invalidateQueries({ queryKey: ["appointments"] });
      void queryClient.invalidateQueries({ queryKey: ["usage"] });
    },
  });
}
