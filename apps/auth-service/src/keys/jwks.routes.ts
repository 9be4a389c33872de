import { Jwks } from "@clinic/contracts";
import type { App } from "@clinic/platform";
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
      // Verifiers cache it; a few minutes keeps a future key rotation visible quickly.
      return reply.header("cache-control", "public, max-age=300").send(keys.jwks as Jwks);
    },
  );
}
