import createClient, { type Middleware } from "openapi-fetch";
import type { paths as AppointmentsPaths } from "./api/appointments.gen.ts";
import type { paths as AuthPaths } from "./api/auth.gen.ts";
import type { paths as VideoPaths } from "./api/video.gen.ts";
import { type ApiError, networkError, toApiError } from "./api-error.ts";
import { authTokens, type InviteHold, refreshDelayMs } from "./auth-tokens.ts";
import { startTabSync } from "./tab-sync.ts";

// The browser talks only to the gateway (same origin); each service sits under its prefix.
const base = (prefix: string) => new URL(prefix, window.location.origin).href;
// Looked up per call so that tests can stub `fetch` at the network boundary.
const fetchNow = (request: Request) => globalThis.fetch(request);

export const authClient = createClient<AuthPaths>({ baseUrl: base("/auth"), fetch: fetchNow });
export const appointmentsClient = createClient<AppointmentsPaths>({ baseUrl: base("/appointments"), fetch: fetchNow });
export const videoClient = createClient<VideoPaths>({ baseUrl: base("/video"), fetch: fetchNow });

// Login, refresh and the invite exchange answer 401/4xx for bad credentials; that must not
// trigger another refresh.
const noRetryPaths = new Set(["/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/auth/invite-token"]);
const pendingRetries = new Map<string, Request>();
let refreshing: Promise<RefreshResult> | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * How a refresh ended: new tokens; `refused` by the auth service (400/401: the refresh cookie is
 * missing, unknown, reused or past the session's lifetime — the login is over; for an invite
 * link 404/410: revoked, expired, the consultation ended); or `unavailable` (no answer, a 5xx,
 * 429: the auth service is down or busy). Only a refusal signs the person out.
 */
export type RefreshResult =
  | { kind: "refreshed" }
  | { kind: "refused"; error: ApiError | null }
  | { kind: "unavailable"; error: ApiError };

/** The invite link's answer (POST /api/auth/invite-token) as the token store keeps it. */
export function inviteHoldOf(token: string, invite: Omit<InviteHold, "token">): InviteHold {
  return {
    token,
    appointment_id: invite.appointment_id,
    doctor_name: invite.doctor_name,
    start_time: invite.start_time,
    duration_minutes: invite.duration_minutes,
    expires_at: invite.expires_at,
  };
}

/**
 * A new access token, once, shared by every request that hit 401 meanwhile: with the HttpOnly
 * refresh cookie (the browser sends it; the script never sees it), or, for a patient who came
 * through an invite link, by exchanging the link's token again.
 */
export function refreshAccessToken(): Promise<RefreshResult> {
  refreshing ??= (async (): Promise<RefreshResult> => {
    const invite = authTokens.invite();
    try {
      if (invite) {
        const { data, error, response } = await authClient.POST("/api/auth/invite-token", {
          body: { invite_token: invite.token },
        });
        if (response.ok && data) {
          authTokens.set(data, Date.now(), inviteHoldOf(invite.token, data.invite));
          return { kind: "refreshed" };
        }
        if ([400, 401, 403, 404, 410].includes(response.status))
          return { kind: "refused", error: toApiError(error, response.status) };
        return { kind: "unavailable", error: toApiError(error, response.status) };
      }
      // An empty body: the refresh token is the cookie (same origin, so fetch sends it).
      const { data, error, response } = await authClient.POST("/api/auth/refresh", {
        body: {},
        credentials: "same-origin",
      });
      if (response.ok && data) {
        authTokens.set(data);
        return { kind: "refreshed" };
      }
      if (response.status === 400 || response.status === 401)
        return { kind: "refused", error: toApiError(error, response.status) };
      return { kind: "unavailable", error: toApiError(error, response.status) };
    } catch {
      return { kind: "unavailable", error: networkError() };
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
    // The one 401 path: refresh silently once and replay; refused, back to the login page.
    const refreshed = await refreshAccessToken();
    if (refreshed.kind === "refused") {
      authTokens.clear("expired");
      return undefined;
    }
    // The auth service cannot be reached: the person stays signed in and this call fails as
    // "temporarily unavailable" (or a connection problem), to be retried.
    if (refreshed.kind === "unavailable") throw refreshed.error;
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

/** After a refresh the auth service could not answer: 5 s, 10 s, 20 s … at most a minute. */
export const refreshRetryDelayMs = (failures: number) => Math.min(60_000, 5_000 * 2 ** (failures - 1));

function scheduleRefresh(delayMs: number, failures: number) {
  refreshTimer = setTimeout(() => {
    void refreshAccessToken().then((result) => {
      if (result.kind === "refused") authTokens.clear("expired");
      // Auth service down: keep the login and try again (new tokens reschedule via subscribe).
      else if (result.kind === "unavailable" && authTokens.get())
        scheduleRefresh(refreshRetryDelayMs(failures + 1), failures + 1);
    });
  }, delayMs);
}

// Tabs sign in and out together; a tab left on the login page restores with the shared cookie.
startTabSync(() => void refreshAccessToken());

// Silent refresh before expiry, so a consultation is never interrupted by a 401.
authTokens.subscribe((state) => {
  clearTimeout(refreshTimer);
  if (!state) return;
  scheduleRefresh(refreshDelayMs(state.expiresAt), 0);
});
