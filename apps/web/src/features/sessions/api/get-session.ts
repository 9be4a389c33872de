import { queryOptions, useQuery } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

export type SessionDetails = operations["getSession"]["responses"][200]["content"]["application/json"];
export type SessionAttendee = SessionDetails["attendees"][number];

export const getSession = (sessionId: string) =>
  unwrap(videoClient.GET("/api/video/sessions/{session_id}", { params: { path: { session_id: sessionId } } }));

export const sessionQueryOptions = (sessionId: string) =>
  queryOptions({ queryKey: ["sessions", "detail", sessionId], queryFn: () => getSession(sessionId) });

/** `pollMs` keeps attendee status live while a call window or waiting screen is open. */
export const useSession = (sessionId: string | null, pollMs?: number) =>
  useQuery({
    ...sessionQueryOptions(sessionId ?? ""),
    enabled: sessionId !== null && sessionId !== "",
    refetchInterval: pollMs ?? false,
  });
