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
 * Writes the access line through a sibling of `logger`: same destination, level, `service`
 * and pid/hostname, minus pino's redaction. The line is built only by `accessLine` from six
 * fixed keys with string and number values, none of which any redact path can name, so
 * redaction could not change a byte of it; yet with the platform's wildcard paths pino runs
 * every one of those values through its redactor, which cost more than the line itself
 * (about 30 µs a request; issue 14, bench/README.md). Every other line, and anything logged
 * with an object of unknown shape, still goes through the redacting logger.
 */
export function createAccessLog(logger: Logger): (line: AccessLine) => void {
  const stream = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  const bindings = logger.bindings();
  const access = pino({ level: logger.level, base: null }, stream).child(bindings);
  return (line) => {
    // The level can be changed at run time on the main logger; follow it.
    if (access.level !== logger.level) access.level = logger.level;
    access.info(line, "request");
  };
}
