// Module resolve hook (runs on the loader thread): records OpenTelemetry modules as they are
// resolved, synchronously, so the record is complete when the importing code goes on.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const log = process.env.OTEL_IMPORTS_LOG;
  if (log && /[/\\](@opentelemetry|@fastify[/\\]otel)[/\\]/.test(result.url)) appendFileSync(log, `${result.url}\n`);
  return result;
}
