import { textPatternWords } from "@clinic/contracts";
import type { FastifyError, FastifyInstance } from "fastify";

/**
 * A failure the client caused or may act on. Domain code throws these (or subclasses with
 * a fixed code); the handler below turns them into the `{error, status, code}` body.
 * `extra` fields are merged into the body (e.g. `session_id` on SESSION_ALREADY_STARTED).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (message: string, code = "BAD_REQUEST", extra?: Record<string, unknown>) =>
  new AppError(400, code, message, extra);
export const unauthorized = (message = "Authentication required", code = "UNAUTHORIZED") =>
  new AppError(401, code, message);
export const forbidden = (message = "You are not authorized to access this resource", code = "FORBIDDEN") =>
  new AppError(403, code, message);
export const notFound = (message = "Not found", code = "NOT_FOUND") => new AppError(404, code, message);
export const conflict = (message: string, code = "CONFLICT", extra?: Record<string, unknown>) =>
  new AppError(409, code, message, extra);
export const serviceUnavailable = (message: string, code = "SERVICE_UNAVAILABLE") => new AppError(503, code, message);

/**
 * The auth service's keys cannot be fetched and the token's key is not among the keys held:
 * whether the token is good cannot be told, so it is neither accepted nor called invalid (a
 * 401 would sign the browser out).
 */
export class AuthUnavailable extends AppError {
  /** Seconds, sent as `retry-after` by the error handler below. */
  readonly retryAfter: number;
  constructor(retryAfterSeconds: number) {
    super(
      503,
      "AUTH_UNAVAILABLE",
      "Sign-in cannot be checked right now (the auth service is unreachable); try again shortly",
    );
    this.retryAfter = retryAfterSeconds;
  }
}

export interface ErrorBody {
  error: string;
  status: number;
  code: string;
  details?: unknown;
  [key: string]: unknown;
}

/** Fastify's own error codes mapped to our contract. */
const fastifyCodes: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 400, code: "BODY_TOO_LARGE", message: "Request body is too large" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "INVALID_JSON", message: "Request body is empty" },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: "INVALID_JSON", message: "Request body is not valid JSON" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: "INVALID_CONTENT_LENGTH" },
  FST_ERR_RATE_LIMITED: { status: 429, code: "RATE_LIMITED" },
};

/**
 * The database cannot be reached (down, restarting, connections terminated, pool cannot
 * connect): a transient condition of ours, answered 503 so clients and load balancers retry,
 * not a 500 that reads as a bug. pg reports these by SQLSTATE (class 08 connection
 * exceptions; 57P01–57P03 shutdown/terminated/cannot connect now; 53300 too many
 * connections; 57014 a statement cancelled by statement_timeout and 25P03 a transaction
 * ended by idle_in_transaction_session_timeout, both signs of a database too busy or locked
 * for now, see docs/operations.md "Database timeouts and provider calls"), by Node socket
 * error codes, or — for a connection lost or never made inside the pool — only by message.
 */
const unreachableDatabaseCodes = new Set([
  "57014",
  "25P03",
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
const unreachableDatabaseMessages =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)$/;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (unreachableDatabaseCodes.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  return code === undefined && unreachableDatabaseMessages.test(err.message);
}

interface ValidationIssue {
  keyword?: string;
  instancePath?: string;
  params?: { pattern?: unknown };
}

/**
 * A free-text field refused for a control character (contracts' text rules), said in words:
 * ajv's own message quotes the regular expression.
 */
function textRuleRefusal(issue: ValidationIssue | undefined, context = "input"): string | undefined {
  if (issue?.keyword !== "pattern" || typeof issue.params?.pattern !== "string") return undefined;
  const words = textPatternWords[issue.params.pattern];
  if (!words) return undefined;
  const field = issue.instancePath?.replace(/^\//, "").replace(/\//g, ".") || "the value";
  return `Invalid request ${context}: ${field} ${words}`;
}

export function toErrorBody(err: FastifyError | AppError | Error): ErrorBody {
  if (err instanceof AppError) {
    return { ...err.extra, error: err.message, status: err.status, code: err.code };
  }
  const fe = err as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (fe.validation) {
    const words = textRuleRefusal(fe.validation[0], fe.validationContext);
    if (words) return { error: words, status: 400, code: "VALIDATION_FAILED", details: fe.validation };
    return {
      error: `Invalid request ${fe.validationContext ?? "input"}: ${fe.message.replace(/^\w+\/?/, "").trim() || fe.message}`,
      status: 400,
      code: "VALIDATION_FAILED",
      details: fe.validation,
    };
  }
  const known = fe.code ? fastifyCodes[fe.code] : undefined;
  if (known) return { error: known.message ?? fe.message, status: known.status, code: known.code };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Plugins such as @fastify/rate-limit throw a bare error with only a status.
    const code = fe.code ?? (fe.statusCode === 429 ? "RATE_LIMITED" : "BAD_REQUEST");
    return { error: fe.message, status: fe.statusCode, code };
  }
  if (isDatabaseUnavailable(err)) {
    return {
      error: "The service's database is unavailable; try again shortly",
      status: 503,
      code: "DATABASE_UNAVAILABLE",
    };
  }
  return { error: "Internal server error", status: 500, code: "INTERNAL" };
}

/**
 * Fastify's `frameworkErrors`: the router's refusals that never reach the error handler (a
 * malformed percent-escape in the URL, a path parameter over `maxParamLength`) leave in our
 * `{error, status, code}` shape too, without echoing the offending URL.
 */
export function frameworkErrorBody(err: FastifyError): ErrorBody {
  if (err.code === "FST_ERR_BAD_URL") return { error: "Malformed URL", status: 400, code: "BAD_URL" };
  if (err.code === "FST_ERR_MAX_PARAM_LENGTH")
    return { error: "A path parameter is too long", status: 414, code: "URI_TOO_LONG" };
  return toErrorBody(err);
}

/** Every 4xx/5xx leaves as `{error, status, code}`; 5xx never carries internals. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const body = toErrorBody(err as FastifyError);
    if (body.status >= 500) request.log.error({ err }, "request failed");
    if (body.code === "DATABASE_UNAVAILABLE") reply.header("retry-after", "5");
    else request.log.info({ code: body.code, status: body.status }, "request refused");
    // 429s, and 503s such as AUTH_UNAVAILABLE, that know when to try again.
    if ((body.status === 429 || body.status === 503) && (err as { retryAfter?: number }).retryAfter) {
      reply.header("retry-after", String((err as { retryAfter?: number }).retryAfter));
    }
    return reply.status(body.status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: `Route ${request.method} ${request.url.split("?")[0]} not found`,
      status: 404,
      code: "ROUTE_NOT_FOUND",
    }),
  );
}
