import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

export type Usage = operations["getUsage"]["responses"][200]["content"]["application/json"];
export type UsageStatus = Usage["status"];
export type UsageSession = Usage["sessions"][number];

/** Sessions per page of the usage list (the server's default; it allows up to 200). */
export const USAGE_PAGE_SIZE = 50;

/**
 * `month` is YYYY-MM; omitted means the current month (the server decides which that is).
 * `page` (1-based) picks the page of the per-session list; the totals are the month's whatever the page.
 */
export const getUsage = (month?: string, page = 1) =>
  unwrap(
    videoClient.GET("/api/video/metrics/usage", {
      params: {
        query: { ...(month ? { month } : {}), limit: USAGE_PAGE_SIZE, offset: (page - 1) * USAGE_PAGE_SIZE },
      },
    }),
  );

export const usageQueryOptions = (month?: string, page = 1) =>
  queryOptions({
    queryKey: ["usage", month ?? "current", page],
    queryFn: () => getUsage(month, page),
    refetchInterval: 60_000,
    // Paging keeps the figures on screen while the next page loads.
    placeholderData: keepPreviousData,
  });

export const useUsage = (month?: string, page = 1) => useQuery(usageQueryOptions(month, page));
