import { useMutation, useQueryClient } from "@tanstack/react-query";
import { authClient } from "../../../lib/api-client.ts";
import { authTokens } from "../../../lib/auth-tokens.ts";

/** Revokes the refresh token on the server, then forgets everything held in memory. */
export async function logout() {
  const refreshToken = authTokens.refreshToken();
  try {
    if (refreshToken) await authClient.POST("/api/auth/logout", { body: { refresh_token: refreshToken } });
  } finally {
    authTokens.clear("logout");
  }
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: logout, onSettled: () => queryClient.clear() });
}
