import { Navigate, useLocation } from "react-router";
import { LoginForm } from "../../features/auth/components/login-form.tsx";
import { homePath, useCurrentUser } from "../../features/auth/use-current-user.ts";
import { authTokens } from "../../lib/auth-tokens.ts";

export function LoginRoute() {
  const user = useCurrentUser();
  const location = useLocation();
  if (user) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== "/login" ? from : homePath(user.role)} replace />;
  }
  const notice = authTokens.lastSignOut() === "expired" ? "Your sign-in expired. Please log in again." : null;
  return (
    <main>
      <LoginForm notice={notice} />
    </main>
  );
}

export function HomeRedirect() {
  const user = useCurrentUser();
  return <Navigate to={user ? homePath(user.role) : "/login"} replace />;
}
