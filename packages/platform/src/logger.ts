import { createRequire } from "node:module";
import type { Writable } from "node:stream";
import pino, { type DestinationStream, type LoggerOptions } from "pino";

/**
 * Paths pino censors wherever they appear in a log object. Medical data and credentials
 * must never reach log storage; request bodies are not logged at all, these catch the
 * places where an object is logged on purpose.
 */
export const redactPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.password_hash",
  "*.access_token",
  "*.refresh_token",
  "*.join_token",
  "*.invite_token",
  "*.token",
  "*.patient_name",
  "*.name",
  "*.email",
  "*.notes",
  // TURN: an ice_servers entry's credential and the secret it is derived from (video service).
  "*.credential",
  "ice_servers[*].credential",
  "*.ice_servers[*].credential",
  "*.TURN_SECRET",
  "password",
  "access_token",
  "refresh_token",
  "join_token",
  "invite_token",
  "token",
  "patient_name",
  "notes",
  "credential",
  "TURN_SECRET",
];

/**
 * A request path as it may be logged: no query string (WebSocket join tokens travel in it)
 * and no invite token, which is the path segment after `/join/` (the web app's invite page,
 * `/join/<token>`): a logged link would let anyone who reads the logs join the consultation.
 */
export function loggablePath(url: string): string {
  const path = url.split("?")[0] ?? url;
  return path.replace(/\/join\/[^/]+/g, "/join/[redacted]");
}

export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: { paths: redactPaths, censor: "[redacted]" },
    hooks: {
      // `log.error(err)` alone would make the error's own message the line's `msg`, past the
      // serializer: the serialized message is used instead.
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        if (!(first instanceof Error)) return method.apply(this, args);
        const message = typeof rest[0] === "string" ? rest : [(serializeError(first) as { message?: string }).message];
        return method.apply(this, [{ err: first }, ...message] as Parameters<typeof method>);
      },
    },
    serializers: {
      err: serializeError,
      error: serializeError,
      // Query strings and invite links carry tokens: log the path only, invite token cut out.
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        path: loggablePath(req.url),
        id: req.id,
      }),
    },
  };
}

/** SQLSTATE classes (the code's first two characters), to name a database error without its message. */
const sqlStateClasses: Record<string, string> = {
  "08": "connection exception",
  "22": "data exception",
  "23": "integrity constraint violation",
  "25": "invalid transaction state",
  "40": "transaction rollback",
  "42": "syntax error or access rule violation",
  "53": "insufficient resources",
  "54": "program limit exceeded",
  "55": "object not in prerequisite state",
  "57": "operator intervention",
  "58": "system error",
  XX: "internal error",
};

/**
 * An error from the database server (pg's DatabaseError, PGlite's error): it carries a
 * SQLSTATE and a severity, and may carry the query, its parameters (`params`), the offending
 * value (`detail`, `where`), and a message that quotes input (`invalid input syntax for type
 * uuid: "…"`).
 */
function isDatabaseError(err: Record<string, unknown>): boolean {
  const code = err.code;
  const sqlState = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
  return (
    (sqlState && typeof err.severity === "string") ||
    ["query", "params", "parameters"].some((key) => key in err) ||
    err.constructor?.name === "DatabaseError"
  );
}

/**
 * The only way an error reaches the logs (pino's `err` and `error` keys, and an error logged
 * on its own): its type, code and message, nothing else. pino's standard serializer copies
 * every property, and database errors carry the query's parameters — a patient's name or a
 * note. A database error's message is replaced by its SQLSTATE and class, since the server's
 * message can quote the value; so is a JSON parse error's, which quotes the text it read.
 * A string logged under these keys is kept: it is one of our own messages.
 */
export function serializeError(err: unknown): unknown {
  if (typeof err !== "object" || err === null) return err;
  const fields = err as Record<string, unknown>;
  const code = typeof fields.code === "string" || typeof fields.code === "number" ? fields.code : undefined;
  if (isDatabaseError(fields)) {
    const sqlClass = typeof code === "string" ? sqlStateClasses[code.slice(0, 2)] : undefined;
    return {
      type: "DatabaseError",
      ...(code !== undefined ? { code } : {}),
      message: `database error${code !== undefined ? ` ${code}` : ""}${sqlClass ? ` (${sqlClass})` : ""}`,
    };
  }
  const type = err instanceof Error ? err.constructor.name || err.name : "Object";
  const raw = typeof fields.message === "string" ? fields.message : undefined;
  const message = err instanceof SyntaxError && /JSON/.test(raw ?? "") ? "invalid JSON" : raw;
  return { type, ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}) };
}

export type LogFormat = "json" | "pretty";

/**
 * Where a logger writes: `json` writes pino's lines as they are (to `destination`, stdout
 * when none); `pretty` formats them for a person (pino-pretty, in this thread: no worker
 * to flush at shutdown). Redaction and serializers run before either, in the logger.
 *
 * Stdout is written synchronously, one `write` per line: a line is out of the process when
 * the call that logs it returns, so a process killed right after loses none. pino's default
 * destination hands lines to libuv's thread pool, loses those queued at a SIGKILL, and costs
 * more CPU per line than the write (bench/README.md Findings 31 and 35). A stdout pipe that
 * stops being read holds the process up, as it would any synchronous writer.
 */
export function logDestination(format: LogFormat, destination?: DestinationStream | Writable): DestinationStream {
  if (format === "json") return (destination ?? pino.destination({ dest: 1, sync: true })) as DestinationStream;
  // Loaded only when asked for: production (JSON) processes never carry the formatter.
  const pinoPretty = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
  return pinoPretty({
    destination: destination ?? 1,
    // Written as it comes, so the last lines before an exit are not lost in a buffer.
    sync: destination === undefined,
    // Colours on a terminal only; a captured stream gets plain text.
    colorize: destination ? false : Boolean(process.stdout.isTTY),
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,service",
    messageFormat: "{service} | {msg}",
    singleLine: true,
    // An error is three short fields (the serializer's): on the line, like any other.
    errorLikeObjectKeys: [],
  });
}
