import { Button, Card, Loader, Stack, Text, Title } from "@mantine/core";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useNavigate } from "react-router";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { ErrorState } from "../../components/error-state.tsx";
import { env } from "../../config/env.ts";
import { type Appointment, useAppointments } from "../../features/appointments/api/get-appointments.ts";
import { StatusBadge } from "../../features/appointments/components/status-badge.tsx";
import { callIsDue } from "../../features/appointments/join-window.ts";
import { useCurrentUser } from "../../features/auth/use-current-user.ts";
import { consentTextQueryOptions } from "../../features/consent/api/consent.ts";
import { type SessionDetails, useSession } from "../../features/sessions/api/get-session.ts";
import { joinAhead } from "../../features/sessions/api/join-ahead.ts";
import { formatDateTime } from "../../lib/format.ts";
import { preloadCallScreen } from "./lazy-routes.ts";

/** The appointment that matters now: in progress first, else the next one not yet over. */
export function nextAppointment(appointments: Appointment[], now: Date): Appointment | null {
  const live = appointments.find((a) => a.status === "IN_PROGRESS");
  if (live) return live;
  const upcoming = appointments
    .filter((a) => a.status === "SCHEDULED")
    .filter(
      (a) => new Date(a.start_time).getTime() + (a.duration_minutes + env.joinWindowAfterMin) * 60_000 > now.getTime(),
    )
    .sort((a, b) => a.start_time.localeCompare(b.start_time));
  return upcoming[0] ?? null;
}

/**
 * Whether the call page's consent gate (session-call.tsx) lets a Join click straight through:
 * the clinic's text is at hand and either the patient agreed or the clinic asks for no consent.
 */
function goesStraightIn(queryClient: QueryClient, session: SessionDetails | undefined): boolean {
  const text = queryClient.getQueryData(consentTextQueryOptions().queryKey);
  if (!text || !session) return false;
  return session.consent?.decision === "GIVEN" || !text.required;
}

export function PatientHomeRoute() {
  const user = useCurrentUser();
  const appointments = useAppointments({ limit: 100, offset: 0 }, env.waitingPollMs);
  return (
    <Stack maw={560} mx="auto" w="100%">
      <Title order={1} size="h2">
        Hello{user ? `, ${user.name}` : ""}
      </Title>
      <ErrorBoundary region="appointment">
        {appointments.isPending && <Loader aria-label="Loading your appointment" />}
        {appointments.isError && (
          <ErrorState error={appointments.error} subject="Appointment" onRetry={() => void appointments.refetch()} />
        )}
        {appointments.data && (
          <NextAppointmentCard appointment={nextAppointment(appointments.data.appointments, new Date())} />
        )}
      </ErrorBoundary>
    </Stack>
  );
}

function NextAppointmentCard({ appointment }: { appointment: Appointment | null }) {
  const navigate = useNavigate();
  // The waiting state updates by itself: the session is polled until the doctor starts.
  const session = useSession(appointment?.session_id ?? null, env.waitingPollMs);
  // The doctor may start any moment now: have the call screen ready before Join is pressed.
  const due = appointment ? callIsDue(appointment, new Date(), env.joinWindowBeforeMin, env.joinWindowAfterMin) : false;
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!due) return;
    preloadCallScreen();
    // The consent step reads the clinic's text first thing: have it ready too.
    void queryClient.prefetchQuery(consentTextQueryOptions());
  }, [due, queryClient]);
  if (!appointment) {
    return <Text>You have no upcoming video appointments.</Text>;
  }
  const live = session.data?.status === "IN_PROGRESS" || appointment.status === "IN_PROGRESS";
  const sessionId = appointment.session_id ?? session.data?.session_id ?? null;
  return (
    <Card withBorder padding="lg" component="section" aria-label="Your next appointment">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Your next appointment
        </Title>
        <Text>With {appointment.doctor_name}</Text>
        <Text>{formatDateTime(appointment.start_time)}</Text>
        <StatusBadge status={live ? "IN_PROGRESS" : appointment.status} />
        {!appointment.video_enabled ? (
          <Text>This is an in-person appointment.</Text>
        ) : live ? (
          <Text role="status" fw={600}>
            Your doctor has started the consultation.
          </Text>
        ) : (
          <Text role="status">Your doctor will start the call. This page updates by itself; please keep it open.</Text>
        )}
        {appointment.video_enabled && (
          <Button
            size="lg"
            disabled={!live || !sessionId}
            onClick={() => {
              if (!sessionId) return;
              // Straight into the call (consent answered, or not asked for): the join and the
              // camera start now, not once the call route has rendered (join-ahead.ts).
              if (goesStraightIn(queryClient, session.data)) joinAhead.start(sessionId);
              navigate(`/sessions/${sessionId}/call`);
            }}
          >
            Join
          </Button>
        )}
      </Stack>
    </Card>
  );
}
