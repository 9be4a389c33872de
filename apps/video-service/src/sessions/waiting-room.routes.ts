import {
  AdmitAttendeeResponse,
  errorResponses,
  SessionAttendeeParams,
  SessionIdParams,
  WaitingRoomBody,
  WaitingRoomResponse,
} from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import type { Actor } from "./session-access.ts";
import type { SessionsContext } from "./sessions-context.ts";
import { admitAttendee, updateWaitingRoom } from "./waiting-room.service.ts";

const tags = ["sessions"];
const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });

/** The waiting room (issue 12): the session's doctor lets patients in. Invite holders are refused (session-access.ts). */
export function waitingRoomRoutes(ctx: SessionsContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);

    app.post(
      "/sessions/:session_id/attendees/:attendee_id/admit",
      {
        schema: {
          operationId: "admitAttendee",
          tags,
          summary: "Let a waiting patient into the call (the session's doctor only)",
          description:
            "Admission is per person: a rejoin keeps it. Admitting someone already admitted answers their admission.",
          params: SessionAttendeeParams,
          response: { 200: AdmitAttendeeResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => admitAttendee(ctx, actorOf(request), request.params.session_id, request.params.attendee_id),
    );

    app.put(
      "/sessions/:session_id/waiting-room",
      {
        schema: {
          operationId: "updateWaitingRoom",
          tags,
          summary: "Turn auto-admit on or off for the session (the session's doctor only)",
          description:
            "With auto-admit on, the patient joins without waiting for Admit; turning it on admits whoever waits.",
          params: SessionIdParams,
          body: WaitingRoomBody,
          response: { 200: WaitingRoomResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => updateWaitingRoom(ctx, actorOf(request), request.params.session_id, request.body),
    );
  };
}
