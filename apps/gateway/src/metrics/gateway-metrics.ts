import { type App, type MetricsListener, serveMetrics } from "@clinic/platform";
import { RouteNotFound } from "../errors.ts";
import { pathOf } from "../proxy/upstream-proxy.ts";
import { upstreamRoutes } from "../routes.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The gateway's own metrics listener, when GATEWAY_METRICS_PORT is set. */
    metricsListener?: MetricsListener;
  }
}

const prefixes = upstreamRoutes.map((route) => route.prefix.slice(1)).join("|");
/** `/metrics` (the gateway's) and `/<prefix>/metrics…` (a service's, were it forwarded). */
const metricsPath = new RegExp(`^(?:/(?:${prefixes}))?/metrics(?:[/;]|$)`);

/**
 * Metrics are for Prometheus on the internal network: request counts per route, outbox
 * backlogs and clinics' usage are nobody else's business. The gateway answers every path
 * that could reach a `/metrics` — its own or a service's behind a prefix, however spelt —
 * 404, as a path that does not exist, and never forwards it.
 */
export function registerMetricsPolicy(app: App): void {
  // Callback style: an async hook costs a promise on every request.
  app.addHook("onRequest", (request, _reply, done) => {
    const path = pathOf(request);
    if (!mayNormaliseTo(path, metricsWord)) return done();
    done(metricsPath.test(normalise(path)) ? new RouteNotFound(request.method, path) : undefined);
  });
}

const metricsWord = /metrics/i;
/** A character `normalise` may decode, drop or remap: a percent escape, anything outside printable ASCII. */
const rewritable = /[^\x21-\x7e]|%/;

/**
 * Whether `normalise(path)` can contain `word`: only when the path has it already (in any
 * case), or has an escape or a character outside printable ASCII that normalising could turn
 * into it. Folding slashes and resolving dot segments only remove characters, so a printable
 * ASCII path without `%` and without the word never normalises to one that has it. Lets the
 * policies skip decoding and URL parsing on every ordinary request (issue 14).
 */
export function mayNormaliseTo(path: string, word: RegExp): boolean {
  return word.test(path) || rewritable.test(path);
}

/**
 * The path as an upstream could end up reading it: escapes decoded, dot segments resolved
 * (`/video/api/../metrics`), repeated slashes folded, any case.
 */
export function normalise(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape never reaches a service: the router refuses it.
  }
  const folded = decoded.replace(/\/{2,}/g, "/");
  let resolved = folded;
  try {
    resolved = new URL(folded, "http://gateway.invalid").pathname;
  } catch {
    // Not a path URL can resolve: checked as it is.
  }
  return resolved.toLowerCase();
}

/**
 * The gateway's own metrics (its request histogram, process figures) on a listener of their
 * own, GATEWAY_METRICS_HOST:GATEWAY_METRICS_PORT, never on the public port. Off when the
 * port is unset. Closed with the app.
 */
export async function serveGatewayMetrics(app: App, port: number | undefined, host: string): Promise<void> {
  if (port === undefined) return;
  const listener = await serveMetrics(app.metrics, port, host);
  app.decorate("metricsListener", listener);
  app.addHook("onClose", () => listener.close());
  app.log.info({ url: listener.url }, "gateway metrics listening");
}
