import { useEffect, useSyncExternalStore } from "react";
import { type AuthStatus, authTokens, type CurrentUser } from "../../lib/auth-tokens.ts";
import { restoreSession } from "./restore-session.ts";

export function useCurrentUser(): CurrentUser | null {
  return useSyncExternalStore(authTokens.subscribe, () => authTokens.get()?.user ?? null);
}

/**
 * Whether anybody is signed in; on a freshly loaded page, first restores the sign-in from the
 * refresh cookie (`unknown`/`restoring` until the auth service has answered).
 */
export function useAuthStatus(): AuthStatus {
  const status = useSyncExternalStore(authTokens.subscribe, authTokens.status);
  useEffect(() => {
    if (status === "unknown") void restoreSession();
  }, [status]);
  return status;
}

/** Where each role lands after logging in. */
export function homePath(role: CurrentUser["role"]): string {
  switch (role) {
    case "DOCTOR":
      return "/doctor/appointments";
    case "PATIENT":
      return "/patient";
    case "ADMIN":
      return "/admin/usage";
  }
}
