import type { components as AuthComponents, operations as AuthOperations } from "./api/auth.gen.ts";

type TokenResponse = AuthOperations["login"]["responses"][200]["content"]["application/json"];
export type CurrentUser = TokenResponse["user"];
export type { AuthComponents };

/** What every token answer carries (login, refresh, invite exchange): an access token for a user. */
export interface AccessGrant {
  access_token: string;
  expires_in: number;
  user: CurrentUser;
}

/** A patient who came through an invite link (`/join/<token>`): no account, one consultation. */
export interface InviteHold {
  /** The link's token: exchanged again for a new access token when this one runs out. */
  token: string;
  appointment_id: string;
  doctor_name: string;
  start_time: string;
  duration_minutes: number;
  expires_at: string;
}

export interface SignedIn {
  accessToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  user: CurrentUser;
  invite: InviteHold | null;
}

/**
 * `unknown` until the page has asked the auth service whether its refresh cookie is still good
 * (`restoring` meanwhile); then `signed-in` or `signed-out`.
 */
export type AuthStatus = "unknown" | "restoring" | "signed-in" | "signed-out";
/** Why the last sign-out happened, so the login page can say so ("idle": automatic logoff). */
export type SignOutReason = "logout" | "expired" | "idle";
/** Why a page load found nobody signed in, when it is worth saying. */
export type RestoreProblem = "unavailable";

type Listener = (state: SignedIn | null, reason?: SignOutReason) => void;

/**
 * The access token lives in memory only; the refresh token is an HttpOnly cookie the script never
 * sees (set by the auth service for /api/auth/refresh and /api/auth/logout only). A reload asks
 * the auth service for a new access token with that cookie (features/auth/restore-session.ts);
 * nothing of the sign-in is written to the browser's storage.
 */
let current: SignedIn | null = null;
let status: AuthStatus = "unknown";
let lastSignOut: SignOutReason | null = null;
let restoreProblem: RestoreProblem | null = null;
const listeners = new Set<Listener>();

function notify(reason?: SignOutReason) {
  for (const listener of listeners) listener(current, reason);
}

export const authTokens = {
  get: () => current,
  status: () => status,
  accessToken: () => current?.accessToken ?? null,
  /** The invite link a signed-in patient came through, or null for an account's sign-in. */
  invite: () => current?.invite ?? null,
  set(grant: AccessGrant, now = Date.now(), invite: InviteHold | null = null) {
    current = {
      accessToken: grant.access_token,
      expiresAt: now + grant.expires_in * 1000,
      user: grant.user,
      invite,
    };
    status = "signed-in";
    lastSignOut = null;
    restoreProblem = null;
    notify();
  },
  /** The page has started asking whether its sign-in survives (once per page load). */
  startRestoring() {
    if (status !== "unknown") return false;
    status = "restoring";
    notify();
    return true;
  },
  /** The sign-in did not survive (no cookie, or it was refused): the login page, without a notice. */
  restoreFailed(problem: RestoreProblem | null = null) {
    if (status !== "restoring") return;
    status = "signed-out";
    restoreProblem = problem;
    notify();
  },
  /** The auth service could not be asked on load ("unavailable"): the login page says so. */
  restoreProblem: () => restoreProblem,
  /** Why the last sign-out happened, so the login page can say "your sign-in expired". */
  lastSignOut: () => lastSignOut,
  clear(reason: SignOutReason) {
    if (current === null && status === "signed-out") return;
    current = null;
    status = "signed-out";
    lastSignOut = reason;
    notify(reason);
  },
  subscribe(listener: Listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Tests only: back to a freshly loaded page. */
  resetForTests() {
    current = null;
    status = "unknown";
    lastSignOut = null;
    restoreProblem = null;
    notify();
  },
};

/** When to refresh silently: a minute before expiry, never sooner than 5 s from now. */
export function refreshDelayMs(expiresAt: number, now = Date.now()): number {
  return Math.max(5_000, expiresAt - now - 60_000);
}
