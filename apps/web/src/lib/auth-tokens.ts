import type { components as AuthComponents, operations as AuthOperations } from "./api/auth.gen.ts";

type TokenResponse = AuthOperations["login"]["responses"][200]["content"]["application/json"];
export type CurrentUser = TokenResponse["user"];
export type { AuthComponents };

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  user: CurrentUser;
}

type Listener = (state: SignedIn | null, reason?: SignOutReason) => void;
export type SignOutReason = "logout" | "expired";

/**
 * Tokens live in memory only (never localStorage/cookies written by us): a reload means
 * logging in again, and nothing is left behind on a shared clinic computer.
 */
let current: SignedIn | null = null;
let lastSignOut: SignOutReason | null = null;
const listeners = new Set<Listener>();

export const authTokens = {
  get: () => current,
  accessToken: () => current?.accessToken ?? null,
  refreshToken: () => current?.refreshToken ?? null,
  set(response: TokenResponse, now = Date.now()) {
    current = {
      accessToken: response.access_token,
      refreshToken: response.refresh_token,
      expiresAt: now + response.expires_in * 1000,
      user: response.user,
    };
    lastSignOut = null;
    for (const listener of listeners) listener(current);
  },
  /** Why the last sign-out happened, so the login page can say "your sign-in expired". */
  lastSignOut: () => lastSignOut,
  clear(reason: SignOutReason) {
    if (current === null) return;
    current = null;
    lastSignOut = reason;
    for (const listener of listeners) listener(null, reason);
  },
  subscribe(listener: Listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** When to refresh silently: a minute before expiry, never sooner than 5 s from now. */
export function refreshDelayMs(expiresAt: number, now = Date.now()): number {
  return Math.max(5_000, expiresAt - now - 60_000);
}
