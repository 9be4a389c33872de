import {
  ConsentText,
  errorResponses,
  RecordConsentBody,
  RecordConsentResponse,
  SessionIdParams,
  UpdateConsentTextBody,
} from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { requireLiveInvite } from "../sessions/invite-check.ts";
import type { Actor } from "../sessions/session-access.ts";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import { getConsentText, recordConsent, updateConsentText } from "./consent.service.ts";

const tags = ["consent"];
const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });

/** Telehealth consent: the clinic's text (read by all, changed by its admins) and the patient's answer. */
export function consentRoutes(ctx: SessionsContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);
    // The patient's pre-call consent step, for an invite holder too (their own session only: session-access.ts).
    const inviteAllowed = { config: { allowInvite: true }, preHandler: requireLiveInvite(ctx) };

    app.get(
      "/consent-text",
      {
        ...inviteAllowed,
        schema: {
          operationId: "getConsentText",
          tags,
          summary: "The caller's clinic's telehealth consent text (version 0: the built-in default)",
          response: { 200: ConsentText, ...errorResponses(401) },
        },
      },
      async (request) => getConsentText(ctx, actorOf(request)),
    );

    app.put(
      "/consent-text",
      {
        schema: {
          operationId: "updateConsentText",
          tags,
          summary: "Replace the clinic's consent text with a new version (clinic admin only)",
          body: UpdateConsentTextBody,
          response: { 200: ConsentText, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => updateConsentText(ctx, actorOf(request), request.body),
    );

    app.post(
      "/sessions/:session_id/consent",
      {
        ...inviteAllowed,
        schema: {
          operationId: "recordConsent",
          tags,
          summary: "The session's patient gives or declines telehealth consent to the text version they were shown",
          description:
            "409 `CONSENT_TEXT_OUTDATED` (with `current_version`) when the clinic's text changed since; 409 on a completed or cancelled session.",
          params: SessionIdParams,
          body: RecordConsentBody,
          response: { 200: RecordConsentResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => recordConsent(ctx, actorOf(request), request.params.session_id, request.body),
    );
  };
}
