import { activity } from "./activity.ts";
import { authTokens, type SignOutReason } from "./auth-tokens.ts";

/**
 * The app's tabs in one browser share one refresh cookie, so they sign in and out together:
 * logging out (or the automatic logoff) in one tab signs the others out with the same reason,
 * and a sign-in in one tab lets a tab left on the login page restore its own. Only these
 * events cross tabs (BroadcastChannel), never a token. Invite-link pages keep to themselves.
 */
type TabMessage = { type: "signed-in" } | { type: "signed-out"; reason: SignOutReason };

const channelName = "clinic-session";

export function startTabSync(restore: () => void): () => void {
  const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(channelName);
  let fromOtherTab = false;
  const post = (message: TabMessage) => {
    try {
      channel?.postMessage(message);
    } catch {
      // a closed channel: nothing to tell
    }
  };
  const onMessage = (event: MessageEvent<TabMessage>) => {
    const message = event.data;
    if (authTokens.invite()) return;
    if (message.type === "signed-out" && authTokens.get()) {
      fromOtherTab = true;
      try {
        authTokens.clear(message.reason);
      } finally {
        fromOtherTab = false;
      }
    }
    if (message.type === "signed-in" && authTokens.status() === "signed-out") restore();
  };
  channel?.addEventListener("message", onMessage);
  let wasSignedIn = authTokens.get() !== null;
  const unsubscribe = authTokens.subscribe((state, reason) => {
    const signedIn = state !== null && state.invite === null;
    if (signedIn && !wasSignedIn) {
      // A new sign-in starts its idle time now.
      activity.mark(Date.now(), true);
      post({ type: "signed-in" });
    }
    if (!state && reason) {
      activity.forget();
      // "expired" is this tab's own refusal; the others find out at their next refresh.
      if (!fromOtherTab && reason !== "expired" && wasSignedIn) post({ type: "signed-out", reason });
    }
    wasSignedIn = signedIn;
  });
  return () => {
    unsubscribe();
    channel?.removeEventListener("message", onMessage);
    channel?.close();
  };
}
