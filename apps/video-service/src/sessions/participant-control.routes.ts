import {
  errorResponses,
  MuteAttendeeResponse,
  ParticipantControlBody,
  RemoveAttendeeResponse,
  SessionAttendeeParams,
} from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { muteAttendee, removeAttendee } from "./participant-control.service.ts";
import type { Actor } from "./session-access.ts";
import type { SessionsContext } from "./sessions-context.ts";

const tags = ["sessions"];
const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });
/** Neither takes fields: a POST without a body means `{}`. */
const emptyBodyIsObject = async (request: FastifyRequest) => {
  request.body ??= {};
};

/** Participant control (issue 12): the session's doctor mutes or removes a participant during the call. */
export function participantControlRoutes(ctx: SessionsContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);

    app.post(
      "/sessions/:session_id/attendees/:attendee_id/mute",
      {
        schema: {
          operationId: "muteAttendee",
          tags,
          summary: "Ask a participant's browser to mute its microphone (the session's doctor only)",
          description:
            "A request, not a forced mute: the participant's browser mutes its microphone and tells them the doctor did; they may unmute again. 409 `CANNOT_MUTE_SELF`, `ATTENDEE_NOT_IN_CALL`, or the session is not in progress.",
          params: SessionAttendeeParams,
          body: ParticipantControlBody,
          response: { 200: MuteAttendeeResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
        preValidation: emptyBodyIsObject,
      },
      async (request) => muteAttendee(ctx, actorOf(request), request.params.session_id, request.params.attendee_id),
    );

    app.post(
      "/sessions/:session_id/attendees/:attendee_id/remove",
      {
        schema: {
          operationId: "removeAttendee",
          tags,
          summary: "Remove a participant from the call (the session's doctor only)",
          description:
            "The person's connections close (WebSocket code 4411 after a `removed` message), their join tokens stop working, and under Chime their attendee is deleted at the provider. They cannot join this session again without an invite issued after the removal (`403 PARTICIPANT_REMOVED`). 409 `CANNOT_REMOVE_SELF`, or the session is not in progress.",
          params: SessionAttendeeParams,
          body: ParticipantControlBody,
          response: { 200: RemoveAttendeeResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
        preValidation: emptyBodyIsObject,
      },
      async (request) => removeAttendee(ctx, actorOf(request), request.params.session_id, request.params.attendee_id),
    );
  };
}
