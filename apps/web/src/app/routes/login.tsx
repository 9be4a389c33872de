import { Navigate, useLocation } from "react-router";
import { PageLoading } from "../../components/route-fallbacks.tsx";
import { LoginForm } from "../../features/auth/components/login-form.tsx";
import { homePath, useAuthStatus, useCurrentUser } from "../../features/auth/use-current-user.ts";
import { authTokens } from "../../lib/auth-tokens.ts";

/** Why the person is on the login page, when it was not their own choice. */
function signOutNotice(): string | null {
  switch (authTokens.lastSignOut()) {
    case "expired":
      return "Your sign-in expired. Please log in again.";
    case "idle":
      return "You were signed out because the app was not used for a while. Please log in again.";
    default:
      return authTokens.restoreProblem() === "unavailable"
        ? "The clinic's servers could not be reached to check your sign-in. Log in again, or reload the page in a moment."
        : null;
  }
}

export function LoginRoute() {
  const status = useAuthStatus();
  const user = useCurrentUser();
  const location = useLocation();
  if (status === "unknown" || status === "restoring") return <PageLoading />;
  if (user && !authTokens.invite()) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== "/login" ? from : homePath(user.role)} replace />;
  }
  return (
    <main>
      <LoginForm notice={signOutNotice()} />
    </main>
  );
}

export function HomeRedirect() {
  const status = useAuthStatus();
  const user = useCurrentUser();
  if (status === "unknown" || status === "restoring") return <PageLoading />;
  return <Navigate to={user && !authTokens.invite() ? homePath(user.role) : "/login"} replace />;
}
