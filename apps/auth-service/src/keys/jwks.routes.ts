import { Jwks } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import { jwksMaxAgeSeconds } from "./key-schedule.ts";
import type { SigningKeys } from "./signing-key.ts";

export async function jwksRoutes(app: App, { keys }: { keys: SigningKeys }): Promise<void> {
  app.get(
    "/.well-known/jwks.json",
    {
      schema: {
        operationId: "getJwks",
        tags: ["keys"],
        summary: "Public keys that verify access tokens",
        security: [],
        response: { 200: Jwks },
      },
    },
    async (_request, reply) => {
      // Short: a rotated key is published activationDelaySeconds before it signs, which
      // counts on caches letting go of this answer within a minute.
      const jwks = await keys.jwks();
      return reply.header("cache-control", `public, max-age=${jwksMaxAgeSeconds}`).send(jwks as Jwks);
    },
  );
}
