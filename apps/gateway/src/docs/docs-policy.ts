import type { App } from "@clinic/platform";
import { RouteNotFound } from "../errors.ts";
import { mayNormaliseTo } from "../metrics/gateway-metrics.ts";
import { pathOf } from "../proxy/upstream-proxy.ts";
import { upstreamRoutes } from "../routes.ts";

const prefixes = upstreamRoutes.map((route) => route.prefix.slice(1)).join("|");
/** `/docs…` (the gateway's own) and `/<prefix>/docs…` (each service's, proxied). */
const docsPath = new RegExp(`^(?:/(?:${prefixes}))?/docs(?:/|$)`);
const docsWord = /docs/i;

/**
 * Swagger UI and the OpenAPI documents map every route and parameter of the API: useful to
 * a developer, a free map to anyone else. With `exposed` false (production, unless
 * GATEWAY_EXPOSE_DOCS=1) the gateway answers them 404, the same as a path that does not
 * exist, and never forwards them. The documents stay available where they are built from
 * the code (`scripts/openapi-documents.ts`) and on each service's own port, off the internet.
 */
export function registerDocsPolicy(app: App, exposed: boolean): void {
  if (exposed) return;
  // Callback style: an async hook costs a promise on every request.
  app.addHook("onRequest", (request, _reply, done) => {
    const path = pathOf(request);
    if (!mayNormaliseTo(path, docsWord)) return done();
    done(docsPath.test(normalise(path)) ? new RouteNotFound(request.method, path) : undefined);
  });
}

/** The path as the service's router will read it: escapes decoded, repeated slashes folded, any case. */
function normalise(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape never reaches a service's docs: the router refuses it.
  }
  return decoded.replace(/\/{2,}/g, "/").toLowerCase();
}
