import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

export type MediaCredentialsResponse =
  operations["getMediaCredentials"]["responses"][200]["content"]["application/json"];

/**
 * The caller's own Chime attendee, once the waiting room let them in (MEDIA_PROVIDER=chime):
 * a join while waiting answers `chime.Attendee: null`, since Chime's JoinToken alone would open
 * the meeting's media. 403 NOT_ADMITTED while still waiting.
 */
export const getMediaCredentials = (sessionId: string, attendeeId: string): Promise<MediaCredentialsResponse> =>
  unwrap(
    videoClient.GET("/api/video/sessions/{session_id}/attendees/{attendee_id}/media-credentials", {
      params: { path: { session_id: sessionId, attendee_id: attendeeId } },
    }),
  );
