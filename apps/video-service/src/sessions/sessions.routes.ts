import {
  AppointmentIdParams,
  EndSessionBody,
  EndSessionResponse,
  errorResponses,
  JoinSessionBody,
  JoinSessionResponse,
  ListSessionsQuery,
  ListSessionsResponse,
  SessionDetails,
  SessionDetailsRedacted,
  SessionIdParams,
  StartSessionBody,
  StartSessionResponse,
  UpdateNotesBody,
  UpdateNotesResponse,
} from "@clinic/contracts";
import { type App, bearerToken } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { requireLiveInvite } from "./invite-check.ts";
import type { Actor } from "./session-access.ts";
import { endSessionByDoctor } from "./session-end.service.ts";
import { joinSession } from "./session-join.service.ts";
import { startSession } from "./session-start.service.ts";
import { getSession, listSessionsFor, updateNotes } from "./sessions.service.ts";
import type { RequestContext, SessionsContext } from "./sessions-context.ts";
import { sessionsPageJson } from "./sessions-page-json.ts";

const tags = ["sessions"];
const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });
/** join and end take only optional fields, so a POST without a body means `{}`. */
const emptyBodyIsObject = async (request: FastifyRequest) => {
  request.body ??= {};
};

/** The guide's six session endpoints; each handler makes one service call. */
export function sessionsRoutes(ctx: SessionsContext, publicUrl: string | undefined) {
  const requestContext = (request: FastifyRequest): RequestContext => ({
    actor: actorOf(request),
    bearerToken: bearerToken(request),
    signallingBase: signallingBase(request, publicUrl),
  });

  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);
    const redacted = { serialize: undefined as ((v: unknown) => string) | undefined };
    const listPage = {
      compiled: undefined as ((v: unknown) => string) | undefined,
      serialize: (page: ListSessionsResponse): string => sessionsPageJson(page) ?? listPage.compiled!(page),
    };
    // The patient's call screen, for an invite holder too (their own session only: session-access.ts).
    const inviteAllowed = { config: { allowInvite: true }, preHandler: requireLiveInvite(ctx) };

    app.get(
      "/sessions",
      {
        schema: {
          operationId: "listSessions",
          tags,
          summary: "List sessions (doctor: own; admin: the clinic's, read-only)",
          querystring: ListSessionsQuery,
          response: { 200: ListSessionsResponse, ...errorResponses(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const page = await listSessionsFor(ctx, actorOf(request), request.query);
        // The same bytes as the route's compiled serializer, written faster; what the writer does
        // not take (sessions-page-json.ts) goes to that serializer.
        listPage.compiled ??= reply.getSerializationFunction("200") as (v: unknown) => string;
        // A reply serializer of its own leaves the content type to the route (Fastify sets it only for its own).
        return reply.type("application/json; charset=utf-8").serializer(listPage.serialize).send(page);
      },
    );

    app.post(
      "/sessions/:appointment_id/start",
      {
        schema: {
          operationId: "startSession",
          tags,
          summary: "Start the video session of an appointment (creates the meeting)",
          params: AppointmentIdParams,
          body: StartSessionBody,
          response: { 200: StartSessionResponse, ...errorResponses(400, 401, 403, 404, 409, 429, 502, 503) },
        },
      },
      async (request) => startSession(ctx, requestContext(request), request.params.appointment_id),
    );

    app.post(
      "/sessions/:session_id/join",
      {
        ...inviteAllowed,
        schema: {
          operationId: "joinSession",
          tags,
          summary: "Join (or rejoin) a session in progress: a fresh attendee and join token",
          params: SessionIdParams,
          body: JoinSessionBody,
          response: { 200: JoinSessionResponse, ...errorResponses(400, 401, 403, 404, 409, 502) },
        },
        preValidation: emptyBodyIsObject,
      },
      async (request) => joinSession(ctx, requestContext(request), request.params.session_id, request.body),
    );

    app.get(
      "/sessions/:session_id",
      {
        ...inviteAllowed,
        schema: {
          operationId: "getSession",
          tags,
          summary: "Session details with attendees",
          description: "Patients and admins receive the same shape without `notes` and `quality_rating`.",
          params: SessionIdParams,
          response: { 200: SessionDetails, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { view, details } = await getSession(ctx, actorOf(request), request.params.session_id);
        if (view === "redacted") {
          // A serializer compiled from the redacted schema: notes and ratings cannot leak
          // even if a field slipped into the object.
          redacted.serialize ??= reply.compileSerializationSchema(
            SessionDetailsRedacted as unknown as Record<string, unknown>,
          ) as (v: unknown) => string;
          // The payload type is the route's (full) schema; the serializer above decides what leaves.
          return reply.serializer(redacted.serialize).send(details as SessionDetails);
        }
        return details as SessionDetails;
      },
    );

    app.post(
      "/sessions/:session_id/end",
      {
        schema: {
          operationId: "endSession",
          tags,
          summary: "End the session for everyone; the appointment becomes COMPLETED",
          params: SessionIdParams,
          body: EndSessionBody,
          response: { 200: EndSessionResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
        preValidation: emptyBodyIsObject,
      },
      async (request) => endSessionByDoctor(ctx, requestContext(request), request.params.session_id, request.body),
    );

    app.put(
      "/sessions/:session_id/notes",
      {
        schema: {
          operationId: "updateSessionNotes",
          tags,
          summary: "Add or update notes and rating after the session ended (doctor only)",
          description: "The rating is optional: left out it stays as it was, null clears it. Deletes the notes draft.",
          params: SessionIdParams,
          body: UpdateNotesBody,
          response: { 200: UpdateNotesResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => updateNotes(ctx, actorOf(request), request.params.session_id, request.body),
    );
  };
}

const safeHost = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
const safePrefix = /^(\/[A-Za-z0-9._~-]+)*$/;

/**
 * Where the browser reaches our WebSocket: PUBLIC_URL when configured, else the request's
 * own host plus the gateway's `x-forwarded-prefix` (`/video` behind the gateway), so the
 * signalling URL works both directly and through the gateway.
 */
export function signallingBase(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/^http/, "ws").replace(/\/$/, "");
  const header = (name: string) => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim();
  };
  const proto = (header("x-forwarded-proto") ?? request.protocol) === "https" ? "wss" : "ws";
  const host = header("x-forwarded-host") ?? request.host;
  const prefix = header("x-forwarded-prefix") ?? "";
  return `${proto}://${safeHost.test(host) ? host : "localhost"}${safePrefix.test(prefix) ? prefix.replace(/\/$/, "") : ""}`;
}
