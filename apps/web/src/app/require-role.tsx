import { Alert } from "@mantine/core";
import { Navigate, Outlet, useLocation } from "react-router";
import { homePath, useCurrentUser } from "../features/auth/use-current-user.ts";
import type { CurrentUser } from "../lib/auth-tokens.ts";

/** Logged-out visitors go to the login page; a wrong role sees why instead of a blank page. */
export function RequireRole({ roles }: { roles: CurrentUser["role"][] }) {
  const user = useCurrentUser();
  const location = useLocation();
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (!roles.includes(user.role)) {
    return (
      <Alert color="red" title="Not authorized" role="alert" m="md">
        This page is not available to your account. <a href={homePath(user.role)}>Go to your home page</a>.
      </Alert>
    );
  }
  return <Outlet />;
}
