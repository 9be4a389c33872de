import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { paths } from "../../../lib/api/auth.gen.ts";
import { authClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
export type UsersQuery = NonNullable<paths["/api/auth/users"]["get"]["parameters"]["query"]>;
export type UsersPage = Json<paths["/api/auth/users"]["get"]["responses"][200]>;
export type DirectoryUser = UsersPage["users"][number];
export type Role = DirectoryUser["role"];
export type NewUser = Json<paths["/api/auth/users"]["post"]["requestBody"]>;
export type CreatedUser = Json<paths["/api/auth/users"]["post"]["responses"][201]>;
export type UserChanges = Json<paths["/api/auth/users/{user_id}"]["patch"]["requestBody"]>;
/** A one-time set-password link: shown to the admin to hand over, never stored by the app. */
export type PasswordLink = CreatedUser["password_link"];

export const roles: readonly { value: Role; label: string }[] = [
  { value: "DOCTOR", label: "Doctor" },
  { value: "PATIENT", label: "Patient" },
  { value: "ADMIN", label: "Admin" },
];

export const usersQueryOptions = (query: UsersQuery) =>
  queryOptions({
    queryKey: ["people", "list", query],
    queryFn: () => unwrap(authClient.GET("/api/auth/users", { params: { query } })),
    // Typing in the search keeps the current rows until the next answer.
    placeholderData: keepPreviousData,
  });

export const useUsers = (query: UsersQuery) => useQuery(usersQueryOptions(query));

function useInvalidatePeople() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ["people"] });
}

export function useCreateUser() {
  const invalidate = useInvalidatePeople();
  return useMutation({
    mutationFn: (body: NewUser) => unwrap(authClient.POST("/api/auth/users", { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateUser() {
  const invalidate = useInvalidatePeople();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: UserChanges }) =>
      unwrap(authClient.PATCH("/api/auth/users/{user_id}", { params: { path: { user_id: id } }, body: changes })),
    onSuccess: invalidate,
  });
}

/** A new set-password link for an existing user (admin-triggered reset); earlier unused links stop working. */
export function useResetPasswordLink() {
  const invalidate = useInvalidatePeople();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(authClient.POST("/api/auth/users/{user_id}/password-link", { params: { path: { user_id: id } } })),
    onSuccess: invalidate,
  });
}
