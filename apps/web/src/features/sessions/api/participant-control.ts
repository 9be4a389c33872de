import { useMutation, useQueryClient } from "@tanstack/react-query";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

interface Target {
  sessionId: string;
  attendeeId: string;
}

/** Asks the participant's browser to mute its microphone (they may unmute again). */
export const muteAttendee = ({ sessionId, attendeeId }: Target) =>
  unwrap(
    videoClient.POST("/api/video/sessions/{session_id}/attendees/{attendee_id}/mute", {
      params: { path: { session_id: sessionId, attendee_id: attendeeId } },
      body: {},
    }),
  );

/** Removes the participant from the call; they need a new invite link to join again. */
export const removeAttendee = ({ sessionId, attendeeId }: Target) =>
  unwrap(
    videoClient.POST("/api/video/sessions/{session_id}/attendees/{attendee_id}/remove", {
      params: { path: { session_id: sessionId, attendee_id: attendeeId } },
      body: {},
    }),
  );

export function useMuteAttendee() {
  return useMutation({ mutationFn: muteAttendee });
}

export function useRemoveAttendee() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeAttendee,
    // The participants list comes from the session's details: read them again at once.
    onSuccess: (_response, { sessionId }) =>
      void queryClient.invalidateQueries({ queryKey: ["sessions", "detail", sessionId] }),
  });
}
