import { useMutation } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/auth.gen.ts";
import { authClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";
import { authTokens } from "../../../lib/auth-tokens.ts";

export type LoginBody = NonNullable<operations["login"]["requestBody"]>["content"]["application/json"];

export const login = (body: LoginBody) => unwrap(authClient.POST("/api/auth/login", { body }));

export function useLogin() {
  return useMutation({
    mutationFn: login,
    onSuccess: (tokens) => authTokens.set(tokens),
  });
}
