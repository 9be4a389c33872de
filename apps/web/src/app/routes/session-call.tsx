import { useCallback } from "react";
import { Navigate, useNavigate, useParams } from "react-router";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { useCurrentUser } from "../../features/auth/use-current-user.ts";
import { CallScreen } from "../../features/sessions/components/call-screen.tsx";

export function SessionCallRoute() {
  const { sessionId = "" } = useParams();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const isDoctor = user?.role === "DOCTOR";
  const onEnded = useCallback(
    () => navigate(isDoctor ? `/doctor/sessions/${sessionId}/notes` : "/patient", { replace: true }),
    [navigate, isDoctor, sessionId],
  );
  const onLeave = useCallback(() => navigate(isDoctor ? "/doctor/appointments" : "/patient"), [navigate, isDoctor]);
  if (!user || user.role === "ADMIN") return <Navigate to="/" replace />;
  return (
    <ErrorBoundary region="video call">
      <CallScreen key={sessionId} sessionId={sessionId} role={user.role} onEnded={onEnded} onLeave={onLeave} />
    </ErrorBoundary>
  );
}
