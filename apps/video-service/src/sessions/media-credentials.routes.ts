import { errorResponses, MediaCredentialsResponse, SessionAttendeeParams } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { requireLiveInvite } from "./invite-check.ts";
import { getMediaCredentials } from "./media-credentials.service.ts";
import type { Actor } from "./session-access.ts";
import type { SessionsContext } from "./sessions-context.ts";

const tags = ["sessions"];
const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });

/** The waiting room under Chime (issue 12): a patient let in fetches their Chime attendee here. */
export function mediaCredentialsRoutes(ctx: SessionsContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);

    app.get(
      "/sessions/:session_id/attendees/:attendee_id/media-credentials",
      {
        // The patient's call screen asks, also when opened through an invite link (its own session only).
        config: { allowInvite: true },
        preHandler: requireLiveInvite(ctx),
        schema: {
          operationId: "getMediaCredentials",
          tags,
          summary: "The caller's own Chime attendee (with its JoinToken), once admitted (MEDIA_PROVIDER=chime)",
          description:
            "A join while waiting for the doctor answers `chime.Attendee: null`; once the signalling socket says `admitted`, the browser asks here. Only the caller's own attendee (403 otherwise), only while the session is in progress (409), 403 `NOT_ADMITTED` while waiting, 403 `PARTICIPANT_REMOVED` after a removal, 409 `ATTENDEE_REPLACED` for an entry a newer join replaced, 409 `NOT_CHIME_SESSION` for an embedded session.",
          params: SessionAttendeeParams,
          response: { 200: MediaCredentialsResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        getMediaCredentials(ctx, actorOf(request), request.params.session_id, request.params.attendee_id),
    );
  };
}
