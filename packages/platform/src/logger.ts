import type { LoggerOptions } from "pino";

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
  "*.token",
  "*.patient_name",
  "*.name",
  "*.email",
  "*.notes",
  "password",
  "access_token",
  "refresh_token",
  "join_token",
  "token",
  "patient_name",
  "notes",
];

export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: { paths: redactPaths, censor: "[redacted]" },
    serializers: {
      // Query strings can carry tokens (WebSocket join tokens): log the path only.
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        path: req.url.split("?")[0],
        id: req.id,
      }),
    },
  };
}
