import { queryOptions, useQuery } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

type Operation = operations["listSessions"];
export type SessionsQuery = NonNullable<Operation["parameters"]["query"]>;
export type SessionsPage = Operation["responses"][200]["content"]["application/json"];
export type SessionSummary = SessionsPage["sessions"][number];

export const getSessions = (query: SessionsQuery) =>
  unwrap(videoClient.GET("/api/video/sessions", { params: { query } }));

export const sessionsQueryOptions = (query: SessionsQuery) =>
  queryOptions({ queryKey: ["sessions", "list", query], queryFn: () => getSessions(query) });

export const useSessions = (query: SessionsQuery) => useQuery(sessionsQueryOptions(query));
