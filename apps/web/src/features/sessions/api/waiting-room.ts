import { useMutation, useQueryClient } from "@tanstack/react-query";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

/** The doctor lets a waiting patient into the call (waiting room). */
export const admitAttendee = ({ sessionId, attendeeId }: { sessionId: string; attendeeId: string }) =>
  unwrap(
    videoClient.POST("/api/video/sessions/{session_id}/attendees/{attendee_id}/admit", {
      params: { path: { session_id: sessionId, attendee_id: attendeeId } },
    }),
  );

/** The doctor turns auto-admit on or off: on, the patient joins without waiting for Admit. */
export const updateWaitingRoom = ({ sessionId, autoAdmit }: { sessionId: string; autoAdmit: boolean }) =>
  unwrap(
    videoClient.PUT("/api/video/sessions/{session_id}/waiting-room", {
      params: { path: { session_id: sessionId } },
      body: { auto_admit: autoAdmit },
    }),
  );

// The lobby itself arrives over the signalling socket (`lobby`), so nothing here is cached;
// the session's details (participants) are read again once someone is let in.
export function useAdmitAttendee() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: admitAttendee,
    onSuccess: (_response, { sessionId }) =>
      void queryClient.invalidateQueries({ queryKey: ["sessions", "detail", sessionId] }),
  });
}

export function useUpdateWaitingRoom() {
  return useMutation({ mutationFn: updateWaitingRoom });
}
