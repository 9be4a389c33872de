import { errorResponses, UsageQuery, UsageResponse } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import { getUsage } from "./usage.service.ts";

/**
 * GET /metrics/usage?month=YYYY-MM&limit=&offset=: attendee-minutes against the clinic's free
 * tier, in the clinic's time zone; an admin's are the clinic's, a doctor's their own sessions'.
 * The per-session list is paged; the totals always cover the month.
 */
export function usageRoutes(ctx: SessionsContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);
    app.get(
      "/metrics/usage",
      {
        schema: {
          operationId: "getUsage",
          tags: ["usage"],
          summary: "Attendee-minutes in a month of the clinic's time zone (default: this month)",
          description:
            "An ADMIN gets the clinic's figures; a DOCTOR only their own sessions' (every figure, the percentage being the share of the clinic's free tier those sessions used); a PATIENT is refused (403). Months and days are calendar months and days in `time_zone` (CLINIC_TIME_ZONE). `sessions` is one page (`limit`, default 50, at most 200, from `offset`), newest start first; `total_sessions` counts all of them and every other figure covers the whole month.",
          querystring: UsageQuery,
          response: { 200: UsageResponse, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) =>
        getUsage(ctx, { user: request.user, requestId: String(request.id) }, request.query.month, {
          limit: request.query.limit,
          offset: request.query.offset,
        }),
    );
  };
}
