import { AppointmentParams, errorResponses, InviteLink, ResolvedInvite, ResolveInviteRequest } from "@clinic/contracts";
import { type App, badRequest } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Actor } from "../appointments/appointment-access.ts";
import { TooManyInviteLookups } from "../errors.ts";
import { AddressLimiter } from "./address-limiter.ts";
import type { InvitesService } from "./invites.service.ts";

export interface InvitesRoutesOptions {
  invites: InvitesService;
  /** Resolves allowed per client address and minute (default 60). */
  resolvesPerMinute?: number;
}

const actor = (request: FastifyRequest): Actor => ({ user: request.user, requestId: request.id });
const tags = ["invites"];
/**
 * Making and revoking take no body: anything but none (or `{}`) is refused, so a form post or
 * a text body cannot act on an appointment.
 */
const noBody = async (request: FastifyRequest) => {
  const { body } = request;
  if (body === undefined || body === null) return;
  if (typeof body === "object" && !Array.isArray(body) && Object.keys(body).length === 0) return;
  throw badRequest("This request takes no body", "BODY_NOT_ALLOWED");
};

/** The resolve answer names the patient: never cached by browsers or proxies. */
const noStore = { "cache-control": "no-store", pragma: "no-cache" };

/**
 * Invite links: made and revoked by the appointment's doctor or a clinic admin (signed in),
 * resolved by whoever holds the token (public: the token is the credential; the auth service
 * calls this to exchange it for an access token, forwarding the client's address).
 */
export async function invitesRoutes(
  app: App,
  { invites, resolvesPerMinute = 60 }: InvitesRoutesOptions,
): Promise<void> {
  const limiter = new AddressLimiter(resolvesPerMinute);

  app.post(
    "/:id/invites",
    {
      onRequest: app.authenticate,
      preValidation: noBody,
      schema: {
        operationId: "createInvite",
        tags,
        summary: "Make an invite link for the appointment's patient (its doctor or a clinic admin)",
        description:
          "The link opens this one consultation without an account until the join window closes; 409 `APPOINTMENT_NOT_INVITABLE` unless the appointment is SCHEDULED or IN_PROGRESS, has video and its window is open.",
        params: AppointmentParams,
        response: { 201: InviteLink, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .headers(noStore)
        .send(await invites.create(actor(request), request.params.id)),
  );

  app.delete(
    "/:id/invites",
    {
      onRequest: app.authenticate,
      preValidation: noBody,
      schema: {
        operationId: "revokeInvites",
        tags,
        summary: "Revoke every invite link of the appointment (its doctor or a clinic admin)",
        params: AppointmentParams,
        response: { 204: Type.Null({ description: "Revoked" }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await invites.revoke(actor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/invites/resolve",
    {
      // Before the body is read: malformed attempts count too.
      onRequest: async (request, reply) => {
        const wait = limiter.take(request.ip);
        if (wait > 0) {
          reply.header("retry-after", String(wait));
          throw new TooManyInviteLookups(wait);
        }
      },
      schema: {
        operationId: "resolveInvite",
        tags,
        summary: "What an invite link opens (public: the token is the credential)",
        description:
          "404 `INVITE_NOT_FOUND`; 410 `INVITE_REVOKED`, `INVITE_EXPIRED`, `CONSULTATION_ENDED` or `APPOINTMENT_CANCELLED`; 429 `RATE_LIMITED` per client address.",
        security: [],
        body: ResolveInviteRequest,
        response: { 200: ResolvedInvite, ...errorResponses(400, 404, 410, 429) },
      },
    },
    async (request, reply) => reply.headers(noStore).send(await invites.resolve(request.body.token, request.id)),
  );
}
