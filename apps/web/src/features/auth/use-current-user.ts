import { useSyncExternalStore } from "react";
import { authTokens, type CurrentUser } from "../../lib/auth-tokens.ts";

export function useCurrentUser(): CurrentUser | null {
  return useSyncExternalStore(authTokens.subscribe, () => authTokens.get()?.user ?? null);
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
