import { useMutation } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/auth.gen.ts";
import { authClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";
import { authTokens } from "../../../lib/auth-tokens.ts";

export type LoginBody = NonNullable<operations["login"]["requestBody"]>["content"]["application/json"];
type Credentials = Pick<LoginBody, "email" | "password">;

/**
 * The refresh token comes back as an HttpOnly cookie (`token_delivery: "cookie"`), out of the
 * script's reach; the answer carries only the access token, kept in memory.
 */
export const login = (body: Credentials) =>
  unwrap(
    authClient.POST("/api/auth/login", { body: { ...body, token_delivery: "cookie" }, credentials: "same-origin" }),
  );

export function useLogin() {
  return useMutation({
    mutationFn: login,
    onSuccess: (tokens) => authTokens.set(tokens),
  });
}
