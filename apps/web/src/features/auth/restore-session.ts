import { activity } from "../../lib/activity.ts";
import { refreshAccessToken } from "../../lib/api-client.ts";
import { authTokens } from "../../lib/auth-tokens.ts";
import { logout } from "./api/logout.ts";

let restoring: Promise<void> | null = null;

/**
 * Once per page load (a reload, a new tab, a phone restoring a discarded tab): asks the auth
 * service for an access token with the HttpOnly refresh cookie. 200 → signed in where the page
 * was; 400/401 (no cookie, or refused) → the login page; no answer → the login page saying the
 * servers could not be reached. A sign-in last used longer ago than the idle limit is not
 * restored but ended (the automatic logoff applies across reloads and closed browsers too).
 */
export function restoreSession(): Promise<void> {
  restoring ??= (async () => {
    if (!authTokens.startRestoring()) return;
    if (activity.idleOnLoad()) {
      await logout("idle").catch(() => undefined);
      return;
    }
    const result = await refreshAccessToken();
    if (result.kind === "refused") authTokens.restoreFailed();
    if (result.kind === "unavailable") authTokens.restoreFailed("unavailable");
  })().finally(() => {
    restoring = null;
  });
  return restoring;
}
