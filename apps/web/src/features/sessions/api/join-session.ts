import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";
import type { CallCredentials } from "../media/call-state.ts";

export type JoinSessionResponse = operations["joinSession"]["responses"][200]["content"]["application/json"];

/** A short description of this browser for the attendee record (no personal data). */
function deviceInfo() {
  const agent = navigator.userAgent;
  const browser = /Edg\//.test(agent)
    ? "Edge"
    : /Chrome\//.test(agent)
      ? "Chrome"
      : /Firefox\//.test(agent)
        ? "Firefox"
        : /Safari\//.test(agent)
          ? "Safari"
          : "Other";
  return { device_info: agent.slice(0, 200), browser_info: browser };
}

export const joinSession = (sessionId: string) =>
  unwrap(
    videoClient.POST("/api/video/sessions/{session_id}/join", {
      params: { path: { session_id: sessionId } },
      body: deviceInfo(),
    }),
  );

export function credentialsFromJoin(response: JoinSessionResponse): CallCredentials {
  return {
    session_id: response.session_id,
    attendee_id: response.attendee.attendee_id,
    join_token: response.attendee.join_token,
    media_provider: response.media_provider ?? "embedded",
    signaling_url: response.aws_media_urls.signaling_url,
    ice_servers: response.ice_servers ?? [],
    ice_transport_policy: response.ice_transport_policy ?? "all",
    chime: response.chime ?? null,
  };
}

/** Fresh credentials for (re)joining: every reconnect goes through here. */
export const joinForCredentials = async (sessionId: string) => credentialsFromJoin(await joinSession(sessionId));
