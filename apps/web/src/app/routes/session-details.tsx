import { Stack, Title } from "@mantine/core";
import { useNavigate, useParams } from "react-router";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { SessionDetailsView } from "../../features/sessions/components/session-details-view.tsx";
import { SessionsHistory } from "../../features/sessions/components/sessions-history.tsx";

export function SessionDetailsRoute({ editNotes }: { editNotes: boolean }) {
  const { sessionId = "" } = useParams();
  const navigate = useNavigate();
  return (
    <ErrorBoundary region="session">
      <SessionDetailsView
        key={`${sessionId}-${editNotes}`}
        sessionId={sessionId}
        editNotes={editNotes}
        onBack={() => navigate(editNotes ? "/doctor/appointments" : "/doctor/sessions")}
        onEditNotes={() => navigate(`/doctor/sessions/${sessionId}/notes`)}
        onJoin={() => navigate(`/sessions/${sessionId}/call`)}
      />
    </ErrorBoundary>
  );
}

export function DoctorSessionsRoute() {
  const navigate = useNavigate();
  return (
    <Stack>
      <Title order={1}>Sessions</Title>
      <ErrorBoundary region="sessions list">
        <SessionsHistory onOpen={(id) => navigate(`/doctor/sessions/${id}`)} />
      </ErrorBoundary>
    </Stack>
  );
}
