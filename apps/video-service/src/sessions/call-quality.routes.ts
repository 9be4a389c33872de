import { CallQualityReport, CallQualitySummary, errorResponses, SessionIdParams } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { reportCallQuality } from "./call-quality.service.ts";
import { requireLiveInvite } from "./invite-check.ts";
import type { Actor } from "./session-access.ts";
import type { SessionsContext } from "./sessions-context.ts";

const tags = ["sessions"];
const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });

/** The quality record (issue 12): each attendee's browser sends its call's stats summary at hang-up. */
export function callQualityRoutes(ctx: SessionsContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);

    app.post(
      "/sessions/:session_id/quality",
      {
        // The patient's call screen sends it, also when opened through an invite link (its own session only).
        config: { allowInvite: true },
        preHandler: requireLiveInvite(ctx),
        schema: {
          operationId: "reportCallQuality",
          tags,
          summary: "The caller's own side's call-quality summary (the session's doctor or patient)",
          description:
            "Accepted while the session is in progress and for 10 minutes after it ended (409 `QUALITY_REPORT_CLOSED` later). One report per side: sending again replaces it.",
          params: SessionIdParams,
          body: CallQualitySummary,
          response: { 200: CallQualityReport, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => reportCallQuality(ctx, actorOf(request), request.params.session_id, request.body),
    );
  };
}
