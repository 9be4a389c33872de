import { Alert } from "@mantine/core";
import { Navigate, Outlet, useLocation } from "react-router";
import { PageLoading } from "../components/route-fallbacks.tsx";
import { homePath, useAuthStatus, useCurrentUser } from "../features/auth/use-current-user.ts";
import { authTokens, type CurrentUser } from "../lib/auth-tokens.ts";

/**
 * Logged-out visitors go to the login page; a wrong role sees why instead of a blank page.
 * A freshly loaded page first restores the sign-in from the refresh cookie (a loader meanwhile),
 * so a reload stays where it was. A patient who came through an invite link has only their
 * consultation: every signed-in page sends them back to it.
 */
export function RequireRole({ roles }: { roles: CurrentUser["role"][] }) {
  const status = useAuthStatus();
  const user = useCurrentUser();
  const location = useLocation();
  if (status === "unknown" || status === "restoring") return <PageLoading />;
  const invite = authTokens.invite();
  if (invite) return <Navigate to={`/join/${invite.token}`} replace />;
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
