import { queryOptions, useQuery } from "@tanstack/react-query";
import type { operations } from "./api/auth.gen.ts";
import { authClient } from "./api-client.ts";
import { unwrap } from "./api-error.ts";

/** `{idle_logoff_min, session_max_hours, clinic_time_zone}`: the clinic's settings the web app follows. */
export type ClientConfig = operations["getClientConfig"]["responses"][200]["content"]["application/json"];

/** What the app assumes until the auth service has answered (its own defaults). */
export const clientConfigDefaults: ClientConfig = {
  idle_logoff_min: 15,
  session_max_hours: 12,
  clinic_time_zone: "UTC",
};

export const clientConfigQueryOptions = () =>
  queryOptions({
    queryKey: ["client-config"],
    // Public and cached by the browser for a minute (cache-control); no token needed.
    queryFn: () => unwrap(authClient.GET("/api/auth/client-config")),
    staleTime: 5 * 60_000,
  });

/** The clinic's settings (public, GET /api/auth/client-config), the defaults until they arrive. */
export function useClientConfig(): ClientConfig {
  const query = useQuery(clientConfigQueryOptions());
  return query.data ?? clientConfigDefaults;
}
