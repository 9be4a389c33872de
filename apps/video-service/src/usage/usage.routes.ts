import { errorResponses, UsageQuery, UsageResponse } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import { getUsage } from "./usage.service.ts";

/** GET /metrics/usage?month=YYYY-MM: the clinic's attendee-minutes against the free tier. */
export function usageRoutes(ctx: SessionsContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);
    app.get(
      "/metrics/usage",
      {
        schema: {
          operationId: "getUsage",
          tags: ["usage"],
          summary: "Attendee-minutes of the caller's clinic in a month (default: this month, UTC)",
          querystring: UsageQuery,
          response: { 200: UsageResponse, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => getUsage(ctx, { user: request.user, requestId: String(request.id) }, request.query.month),
    );
  };
}
