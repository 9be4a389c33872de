import { useMutation, useQueryClient } from "@tanstack/react-query";
import { authClient } from "../../../lib/api-client.ts";
import { authTokens, type SignOutReason } from "../../../lib/auth-tokens.ts";

/**
 * Ends the sign-in on the server (the auth service revokes the refresh cookie's token and clears
 * the cookie), then forgets the access token held in memory. Signed out here even when the
 * server cannot be reached.
 */
export async function logout(reason: SignOutReason = "logout") {
  try {
    await authClient.POST("/api/auth/logout", { body: {}, credentials: "same-origin" });
  } finally {
    authTokens.clear(reason);
  }
}

/** `reason` is what the login page will say ("idle": the automatic logoff). */
export function useLogout(reason: SignOutReason = "logout") {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => logout(reason),
    onSettled: () => queryClient.clear(),
  });
}
