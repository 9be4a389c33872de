import { ClientConfig, ErrorBody } from "@clinic/contracts";
import type { App } from "@clinic/platform";

export interface ClientConfigRoutesOptions {
  config: ClientConfig;
}

/**
 * What the web app needs to know about sessions and dates, before anyone signs in (the login
 * page already shows times). Public and the same for everyone: cacheable for a minute, so a
 * changed setting reaches every open page within one.
 */
export async function clientConfigRoutes(app: App, { config }: ClientConfigRoutesOptions): Promise<void> {
  app.get(
    "/client-config",
    {
      schema: {
        operationId: "getClientConfig",
        tags: ["client"],
        summary: "Idle logoff, maximum login length and the clinic's time zone, for the web app",
        security: [],
        response: { 200: ClientConfig, 400: ErrorBody },
      },
    },
    async (_request, reply) => reply.header("cache-control", "public, max-age=60").send(config),
  );
}
