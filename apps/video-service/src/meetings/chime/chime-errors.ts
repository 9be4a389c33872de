import { type MediaFailure, type MediaOperation, MediaProviderError } from "../media-provider-error.ts";

/**
 * AWS error names → our reasons. Matched by `name` rather than `instanceof` because errors
 * also come from the SDK's credential chain, signer and HTTP handler, which are not Chime
 * exception classes (and a second copy of the SDK would defeat `instanceof`).
 * https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_meeting-chime_CreateMeeting.html#API_meeting-chime_CreateMeeting_Errors
 */
const byName: Record<string, MediaFailure> = {
  ThrottlingException: "THROTTLED",
  ThrottledException: "THROTTLED",
  TooManyRequestsException: "THROTTLED",
  ServiceUnavailableException: "UNAVAILABLE",
  ServiceFailureException: "UNAVAILABLE",
  TimeoutError: "UNAVAILABLE",
  // Our deadline on the call (CHIME_MAX_CALL_MS) passed.
  AbortError: "UNAVAILABLE",
  RequestTimeout: "UNAVAILABLE",
  ForbiddenException: "ACCESS_DENIED",
  UnauthorizedException: "ACCESS_DENIED",
  AccessDeniedException: "ACCESS_DENIED",
  UnrecognizedClientException: "ACCESS_DENIED",
  InvalidSignatureException: "ACCESS_DENIED",
  ExpiredTokenException: "ACCESS_DENIED",
  CredentialsProviderError: "ACCESS_DENIED",
  BadRequestException: "REJECTED",
  UnprocessableEntityException: "REJECTED",
  ConflictException: "REJECTED",
  ValidationException: "REJECTED",
  LimitExceededException: "LIMIT_EXCEEDED",
  NotFoundException: "MEETING_NOT_FOUND",
};

/** Socket-level failures the Node HTTP handler surfaces with a `code`, not an AWS name. */
const networkCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE"]);

interface AwsErrorShape {
  name?: string;
  code?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export function isNotFound(err: unknown): boolean {
  return (err as AwsErrorShape | undefined)?.name === "NotFoundException";
}

function classify(err: AwsErrorShape): MediaFailure {
  const named = err.name ? byName[err.name] : undefined;
  if (named) return named;
  if (err.code && networkCodes.has(err.code)) return "UNAVAILABLE";
  const status = err.$metadata?.httpStatusCode;
  if (status === 429) return "THROTTLED";
  if (err.$fault === "server" || (status !== undefined && status >= 500)) return "UNAVAILABLE";
  // "Region is missing" and similar configuration errors from the SDK carry no AWS name.
  if (err.name === "Error" && /region|credential/i.test(String((err as Error).message))) return "ACCESS_DENIED";
  return "UNKNOWN";
}

/** Turns anything the Chime client threw into a MediaProviderError carrying only safe facts. */
export function toMediaProviderError(operation: MediaOperation, err: unknown): MediaProviderError {
  if (err instanceof MediaProviderError) return err;
  const shape: AwsErrorShape = typeof err === "object" && err !== null ? (err as AwsErrorShape) : {};
  return new MediaProviderError("chime", operation, classify(shape), {
    provider_error: shape.name ?? shape.code ?? typeof err,
    provider_request_id: shape.$metadata?.requestId,
    provider_status: shape.$metadata?.httpStatusCode,
  });
}
