import type { Attendee } from "../meetings/media-provider.ts";
import type { SessionRow } from "./sessions.repository.ts";
import type { SessionsContext } from "./sessions-context.ts";

/**
 * The join token of the video service's signalling socket, handed out by start and join.
 *
 * Embedded: the attendee's own token (the embedded provider signs it). Chime: Chime's
 * JoinToken opens Chime's media only (it stays in `chime.Attendee` for the SDK), and attendance
 * must not depend on Chime telling us who is there. So the service signs its own token for the
 * same attendee and the browser also holds our signalling socket, in presence-only mode: the
 * connect opens an attendance interval, heartbeats keep it alive, the close (or a silent
 * socket) closes it — metering, the free-tier block, usage webhooks and the idle end then work
 * alike for both providers. (The alternative, ingesting Chime's attendee events through
 * EventBridge, is noted in docs/architecture.md.)
 */
export async function signallingJoinToken(
  ctx: Pick<SessionsContext, "joinTokens" | "provider">,
  row: Pick<SessionRow, "session_id" | "meeting_id" | "media_provider">,
  attendee: Pick<Attendee, "attendee_id" | "join_token" | "external_user_id">,
): Promise<string> {
  if ((row.media_provider ?? ctx.provider.name) !== "chime") return attendee.join_token;
  if (!row.meeting_id) throw new Error(`session ${row.session_id} has no meeting`);
  return ctx.joinTokens.issue({
    attendee_id: attendee.attendee_id,
    meeting_id: row.meeting_id,
    session_id: row.session_id,
    user_id: attendee.external_user_id,
  });
}
