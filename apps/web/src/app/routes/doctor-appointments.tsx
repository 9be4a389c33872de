import { Alert, Button, Group, Loader, Stack, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { describeError, ErrorState } from "../../components/error-state.tsx";
import { env } from "../../config/env.ts";
import { type Appointment, useAppointments } from "../../features/appointments/api/get-appointments.ts";
import { AppointmentsTable } from "../../features/appointments/components/appointments-table.tsx";
import { useManageDialogs } from "../../features/appointments/components/manage-dialogs.tsx";
import { callIsDue } from "../../features/appointments/join-window.ts";
import { useStartSession } from "../../features/sessions/api/start-session.ts";
import { PreCallCheckButton } from "../../features/sessions/precall/precall-check-button.tsx";
import { useUsage } from "../../features/usage/api/get-usage.ts";
import { videoBlockedReason } from "../../features/usage/usage-status.ts";
import { ApiError, isApiError } from "../../lib/api-error.ts";
import { useClinicTimeZone } from "../../lib/clinic-time-zone.ts";
import { useNow } from "../../lib/use-now.ts";
import { preloadCallScreen } from "./lazy-routes.ts";

const dayStart = () => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - 1);
  return d.toISOString();
};

export function DoctorAppointmentsRoute() {
  const navigate = useNavigate();
  const now = useNow();
  const [from] = useState(dayStart);
  const appointments = useAppointments({ from, limit: 100, offset: 0 }, 15_000);
  const usage = useUsage();
  const { zone } = useClinicTimeZone();
  const { manage, openBooking, dialogs } = useManageDialogs({ zone, chooseDoctor: false });
  const start = useStartSession();
  const [startError, setStartError] = useState<ApiError | null>(null);
  const [startingId, setStartingId] = useState<string | null>(null);
  const exceeded = startError?.code === "FREE_TIER_EXCEEDED";
  const blocked = exceeded
    ? "Free Tier limit exceeded. Video consultations disabled."
    : videoBlockedReason(usage.data?.clinic_status);

  // A call can start (or is running): fetch the call screen now so the click does not wait for it.
  const callable = appointments.data?.appointments.some((a) =>
    callIsDue(a, now, env.joinWindowBeforeMin, env.joinWindowAfterMin),
  );
  useEffect(() => {
    if (callable && !blocked) preloadCallScreen();
  }, [callable, blocked]);

  const openCall = (sessionId: string) => navigate(`/sessions/${sessionId}/call`);
  const onStart = (appointment: Appointment) => {
    setStartError(null);
    setStartingId(appointment.id);
    start.mutate(appointment.id, {
      onSuccess: (response) => openCall(response.session_id),
      onError: (error) => {
        // The guide's 409 case: the session is already running, so join it instead.
        const existing = isApiError(error, "SESSION_ALREADY_STARTED")
          ? (error.session_id ?? appointment.session_id)
          : null;
        if (existing) return openCall(existing);
        setStartError(error instanceof ApiError ? error : null);
        if (error instanceof ApiError && error.status === 404) void appointments.refetch();
      },
      onSettled: () => setStartingId(null),
    });
  };

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Appointment Management</Title>
        <Group gap="xs">
          <PreCallCheckButton />
          <Button onClick={openBooking}>Book appointment</Button>
        </Group>
      </Group>
      {blocked && (
        <Alert color="red" title="Video consultations disabled" role="alert">
          {blocked}
        </Alert>
      )}
      {startError && !exceeded && (
        <Alert
          color={startError.status === 404 ? "yellow" : "red"}
          title={startTitle(startError)}
          role="alert"
          withCloseButton
          onClose={() => setStartError(null)}
          closeButtonLabel="Dismiss"
        >
          {startMessage(startError)}
        </Alert>
      )}
      <ErrorBoundary region="appointments list">
        {appointments.isPending && <Loader aria-label="Loading appointments" />}
        {appointments.isError && (
          <ErrorState error={appointments.error} subject="Appointments" onRetry={() => void appointments.refetch()} />
        )}
        {appointments.data && (
          <AppointmentsTable
            appointments={[...appointments.data.appointments].sort((a, b) => a.start_time.localeCompare(b.start_time))}
            calls={{
              now,
              videoBlockedReason: blocked,
              startingId,
              onStart,
              onViewSession: (a) => a.session_id && openCall(a.session_id),
              onAddNotes: (a) => a.session_id && navigate(`/doctor/sessions/${a.session_id}/notes`),
            }}
            manage={manage}
          />
        )}
      </ErrorBoundary>
      {dialogs}
    </Stack>
  );
}

function startTitle(error: ApiError) {
  if (error.status === 404) return "Appointment not found";
  if (error.code === "OUTSIDE_JOIN_WINDOW") return "Not yet time for this consultation";
  return describeError(error, "Appointment").title;
}

function startMessage(error: ApiError) {
  if (error.status === 404) return "Appointment not found. The list has been refreshed.";
  if (error.code === "OUTSIDE_JOIN_WINDOW") return error.error;
  return describeError(error, "Appointment").message;
}
