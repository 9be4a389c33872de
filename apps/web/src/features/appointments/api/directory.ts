import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/auth.gen.ts";
import { authClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

type Operation = operations["listDirectory"];
export type DirectoryQuery = Operation["parameters"]["query"];
export type DirectoryEntry = Operation["responses"][200]["content"]["application/json"]["users"][number];

export const directoryQueryOptions = (query: DirectoryQuery) =>
  queryOptions({
    queryKey: ["directory", query],
    queryFn: () => unwrap(authClient.GET("/api/auth/directory", { params: { query } })),
    // The picker keeps the last matches while the next search is on its way.
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

/** Active doctors or patients of the caller's clinic matching `q` (the booking form's pickers). */
export const useDirectory = (role: "PATIENT" | "DOCTOR", q: string, enabled = true) =>
  useQuery({ ...directoryQueryOptions({ role, limit: 20, ...(q ? { q } : {}) }), enabled });
