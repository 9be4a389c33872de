import createClient, { type Middleware } from "openapi-fetch";
import type { paths as AppointmentsPaths } from "./api/appointments.gen.ts";
import type { paths as AuthPaths } from "./api/auth.gen.ts";
import type { paths as VideoPaths } from "./api/video.gen.ts";
import { authTokens, refreshDelayMs } from "./auth-tokens.ts";

// The browser talks only to the gateway (same origin); each service sits under its prefix.
const base = (prefix: string) => new URL(prefix, window.location.origin).href;
// Looked up per call so that tests can stub `fetch` at the network boundary.
const fetchNow = (request: Request) => globalThis.fetch(request);

export const authClient = createClient<AuthPaths>({ baseUrl: base("/auth"), fetch: fetchNow });
export const appointmentsClient = createClient<AppointmentsPaths>({ baseUrl: base("/appointments"), fetch: fetchNow });
export const videoClient = createClient<VideoPaths>({ baseUrl: base("/video"), fetch: fetchNow });

// Login and refresh answer 401 for bad credentials; that must not trigger another refresh.
const noRetryPaths = new Set(["/api/auth/login", "/api/auth/refresh"]);
const pendingRetries = new Map<string, Request>();
let refreshing: Promise<boolean> | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

/** Exchanges the refresh token once, shared by every request that hit 401 meanwhile. */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = authTokens.refreshToken();
    if (!refreshToken) return false;
    try {
      const { data, response } = await authClient.POST("/api/auth/refresh", { body: { refresh_token: refreshToken } });
      if (!response.ok || !data) return false;
      authTokens.set(data);
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

const bearer: Middleware = {
  onRequest({ request, id, schemaPath }) {
    const token = authTokens.accessToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    if (token && !noRetryPaths.has(schemaPath)) pendingRetries.set(id, request.clone());
    return request;
  },
  async onResponse({ response, id, options }) {
    const retry = pendingRetries.get(id);
    pendingRetries.delete(id);
    if (response.status !== 401 || !retry) return undefined;
    // The one 401 path: refresh silently once and replay; otherwise back to the login page.
    if (!(await refreshAccessToken())) {
      authTokens.clear("expired");
      return undefined;
    }
    retry.headers.set("Authorization", `Bearer ${authTokens.accessToken()}`);
    const again = await options.fetch(retry);
    if (again.status === 401) authTokens.clear("expired");
    return again;
  },
  onError({ id }) {
    pendingRetries.delete(id);
  },
};

for (const client of [authClient, appointmentsClient, videoClient]) client.use(bearer);

// Silent refresh before expiry, so a consultation is never interrupted by a 401.
authTokens.subscribe((state) => {
  clearTimeout(refreshTimer);
  if (!state) return;
  refreshTimer = setTimeout(() => {
    void refreshAccessToken().then((ok) => {
      if (!ok) authTokens.clear("expired");
    });
  }, refreshDelayMs(state.expiresAt));
});
