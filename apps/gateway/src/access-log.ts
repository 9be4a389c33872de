import { loggablePath } from "@clinic/platform";
import type { FastifyReply, FastifyRequest } from "fastify";
import pino, { type Logger } from "pino";

/** The fields of the one line per request, and nothing else: all strings and numbers the gateway makes. */
export interface AccessLine {
  reqId: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  upstream: string;
}

/** The access line of a request: the path without its query string or an invite token (`loggablePath`). */
export function accessLine(request: FastifyRequest, reply: FastifyReply): AccessLine {
  return {
    reqId: String(request.id),
    method: request.method,
    // Never the query string (WebSocket join tokens travel in it) nor an invite link's token.
    path: loggablePath(request.url),
    status: reply.statusCode,
    duration_ms: Math.round(reply.elapsedTime),
    upstream: (request.routeOptions.config as { upstream?: string }).upstream ?? "gateway",
  };
}

/**
 * Writes the access line as a pino sibling of `logger` without redaction would: same
 * destination, level, `service` and other bindings, byte for byte what the redacting logger
 * writes for it (a test compares them). The line is built only by `accessLine` from six fixed
 * keys with string and number values, none of which any redact path can name, so redaction
 * could not change a byte of it; yet with the platform's wildcard paths pino runs every one of
 * those values through its redactor, which cost more than the line itself (about 30 µs a
 * request; issue 14, bench/README.md Finding 11). It is written out here, as pino lays out a
 * line (`level`, `time`, bindings, fields, `msg`), in one template: no pino call per request
 * (issue 14, Finding "Nullable fields and request lines"). Every other line, and anything
 * logged with an object of unknown shape, still goes through the redacting logger.
 */
export function createAccessLog(logger: Logger): (line: AccessLine) => void {
  const stream = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  if (!stream) throw new Error("access log: the logger has no destination");
  // pino's bindings (`"service":"gateway"`, …) as its `child` writes them: JSON of each value.
  const bindings = Object.entries(logger.bindings())
    .map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join("");
  const level = logger.levels.values.info;
  return (line) => {
    // The level can be changed at run time on the main logger; follow it.
    if (!logger.isLevelEnabled("info")) return;
    stream.write(
      `{"level":${level},"time":${Date.now()}${bindings},"reqId":${JSON.stringify(line.reqId)},"method":${JSON.stringify(line.method)},"path":${JSON.stringify(line.path)},"status":${line.status},"duration_ms":${line.duration_ms},"upstream":${JSON.stringify(line.upstream)},"msg":"request"}\n`,
    );
  };
}
