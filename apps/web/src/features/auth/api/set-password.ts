import { useMutation } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/auth.gen.ts";
import { authClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

export type SetPasswordBody = operations["setPassword"]["requestBody"]["content"]["application/json"];

/** Uses a set-password link (new account or admin-triggered reset): single use, 204 when done. */
export const setPassword = (body: SetPasswordBody) => unwrap(authClient.POST("/api/auth/password", { body }));

export const useSetPassword = () => useMutation({ mutationFn: setPassword });
