/**
 * Every failed call to our services surfaces as an ApiError carrying the services' error body
 * (`{error, status, code}`), so screens branch on `code`, never on message text.
 * `status` 0 means the request never got an answer (network down, gateway unreachable).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly error: string;
  /** Set on 409 SESSION_ALREADY_STARTED: the session to join instead. */
  readonly session_id: string | undefined;
  readonly details: unknown;

  constructor(body: { status: number; code: string; error: string; session_id?: string; details?: unknown }) {
    super(body.error);
    this.name = "ApiError";
    this.status = body.status;
    this.code = body.code;
    this.error = body.error;
    this.session_id = body.session_id;
    this.details = body.details;
  }
}

const fallbackCodes: Record<number, [string, string]> = {
  400: ["BAD_REQUEST", "The request was not valid."],
  401: ["UNAUTHORIZED", "Please log in again."],
  403: ["FORBIDDEN", "You are not authorized to access this appointment"],
  404: ["NOT_FOUND", "Not found"],
  409: ["CONFLICT", "The request conflicts with the current state."],
  429: ["TOO_MANY_REQUESTS", "Too many requests. Please wait a moment."],
  502: ["BAD_GATEWAY", "The service is temporarily unavailable. Please try again shortly."],
  503: ["SERVICE_UNAVAILABLE", "The service is temporarily unavailable. Please try again shortly."],
  504: ["GATEWAY_TIMEOUT", "The service is temporarily unavailable. Please try again shortly."],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Turns a non-2xx answer (body already parsed by openapi-fetch, or text) into an ApiError. */
export function toApiError(body: unknown, status: number): ApiError {
  const [fallbackCode, fallbackMessage] = fallbackCodes[status] ?? ["UNEXPECTED_ERROR", "Something went wrong."];
  if (isRecord(body)) {
    return new ApiError({
      status,
      code: typeof body.code === "string" ? body.code : fallbackCode,
      error: typeof body.error === "string" ? body.error : fallbackMessage,
      session_id: typeof body.session_id === "string" ? body.session_id : undefined,
      details: body.details,
    });
  }
  return new ApiError({ status, code: fallbackCode, error: fallbackMessage });
}

export const networkError = () =>
  new ApiError({
    status: 0,
    code: "NETWORK_ERROR",
    error: "Could not reach the clinic's servers. Please check your internet connection.",
  });

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** Awaits an openapi-fetch call and returns its data, or throws an ApiError. */
export async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw networkError();
  }
  if (!answer.response.ok) throw toApiError(answer.error, answer.response.status);
  return answer.data as T;
}

export const isApiError = (error: unknown, ...codes: string[]): error is ApiError =>
  error instanceof ApiError && (codes.length === 0 || codes.includes(error.code));
