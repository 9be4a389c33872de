import { queryOptions, useQuery } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

export type Usage = operations["getUsage"]["responses"][200]["content"]["application/json"];
export type UsageStatus = Usage["status"];
export type UsageSession = Usage["sessions"][number];

/** `month` is YYYY-MM; omitted means the current month (the server decides which that is). */
export const getUsage = (month?: string) =>
  unwrap(videoClient.GET("/api/video/metrics/usage", { params: { query: month ? { month } : {} } }));

export const usageQueryOptions = (month?: string) =>
  queryOptions({ queryKey: ["usage", month ?? "current"], queryFn: () => getUsage(month), refetchInterval: 60_000 });

export const useUsage = (month?: string) => useQuery(usageQueryOptions(month));
