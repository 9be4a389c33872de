import { AppError } from "@clinic/platform";

/**
 * Every refusal the auth service gives, with its status. Credential failures share one code
 * and one sentence so a client cannot tell which part was wrong.
 */
export class InvalidCredentials extends AppError {
  constructor() {
    super(401, "INVALID_CREDENTIALS", "Email or password is incorrect");
  }
}

export class InvalidRefreshToken extends AppError {
  constructor() {
    super(401, "INVALID_REFRESH_TOKEN", "Refresh token is invalid, expired or revoked");
  }
}

/** A refresh token came back after it was rotated: the whole login is ended. */
export class RefreshTokenReused extends AppError {
  constructor() {
    super(401, "REFRESH_TOKEN_REUSED", "Refresh token was already used; please sign in again");
  }
}

/** The login began more than SESSION_MAX_HOURS ago: rotations do not extend it. */
export class SessionExpired extends AppError {
  constructor(maxHours: number) {
    super(401, "SESSION_EXPIRED", `This login is older than ${maxHours} hours; please sign in again`);
  }
}

/** The token is valid but its user no longer exists. */
export class UnknownUser extends AppError {
  constructor() {
    super(401, "UNKNOWN_USER", "The user of this token no longer exists");
  }
}

export class TooManyLoginAttempts extends AppError {
  constructor(readonly retryAfter: number) {
    super(429, "RATE_LIMITED", `Too many login attempts; try again in ${retryAfter} seconds`, {
      retry_after: retryAfter,
    });
  }
}
