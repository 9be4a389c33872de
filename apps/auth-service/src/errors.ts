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

/** Refresh with neither a token in the body nor the `clinic_refresh` cookie: nobody is signed in here. */
export class NoRefreshToken extends AppError {
  constructor() {
    super(401, "NO_REFRESH_TOKEN", "No refresh token was sent; please sign in");
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

/** The right password of a deactivated person: said plainly, since they cannot fix it themselves. */
export class AccountDeactivated extends AppError {
  constructor() {
    super(401, "ACCOUNT_DEACTIVATED", "This account has been deactivated; ask your clinic's administrator");
  }
}

/** Directory and provisioning (issue 11). */
export class DirectoryForbidden extends AppError {
  constructor(message: string) {
    super(403, "FORBIDDEN", message);
  }
}

/** Unknown, or of another clinic: the same answer, so ids cannot be probed across clinics. */
export class UserNotFound extends AppError {
  constructor() {
    super(404, "USER_NOT_FOUND", "No user with this id in your clinic");
  }
}

export class EmailTaken extends AppError {
  constructor() {
    super(409, "EMAIL_TAKEN", "Another account already uses this email address");
  }
}

export class CannotChangeOwnAccount extends AppError {
  constructor() {
    super(409, "CANNOT_CHANGE_OWN_ACCOUNT", "You cannot deactivate your own account or remove your own admin role");
  }
}

export class UserInactive extends AppError {
  constructor() {
    super(409, "USER_INACTIVE", "This account is deactivated; reactivate it first");
  }
}

/** The admin's clinic has no row (a token for a clinic this service never created). */
export class ClinicNotFound extends AppError {
  constructor() {
    super(409, "CLINIC_NOT_FOUND", "Your clinic is not registered with the auth service");
  }
}

/** Unknown, already used or superseded link, or a deactivated person's: one answer for all. */
export class PasswordLinkInvalid extends AppError {
  constructor() {
    super(
      400,
      "PASSWORD_LINK_INVALID",
      "This password link is not valid; ask your clinic's administrator for a new one",
    );
  }
}

export class PasswordLinkExpired extends AppError {
  constructor() {
    super(
      400,
      "PASSWORD_LINK_EXPIRED",
      "This password link has expired; ask your clinic's administrator for a new one",
    );
  }
}

export class TooManyPasswordAttempts extends AppError {
  constructor(readonly retryAfter: number) {
    super(429, "RATE_LIMITED", `Too many attempts; try again in ${retryAfter} seconds`, { retry_after: retryAfter });
  }
}
