// A public page outside the signed-in layout: it brings Mantine's full stylesheet itself (the
// call screen uses most components), in this chunk only, never in the sign-in page's first load.
import "@mantine/core/styles.css";
import { Alert, Button, Card, Center, Container, Loader, Stack, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense, useEffect, useState } from "react";
import { useParams } from "react-router";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { ErrorState } from "../../components/error-state.tsx";
import { LoadErrorBoundary, PageLoading } from "../../components/route-fallbacks.tsx";
import { env } from "../../config/env.ts";
import { useCurrentUser } from "../../features/auth/use-current-user.ts";
import { consentTextQueryOptions } from "../../features/consent/api/consent.ts";
import { useInvite, useInvitedAppointment } from "../../features/invites/api/invite.ts";
import { DeviceCheck } from "../../features/sessions/components/device-check.tsx";
import { ApiError } from "../../lib/api-error.ts";
import { useClinicTimeZone } from "../../lib/clinic-time-zone.ts";
import { formatDateTime } from "../../lib/format.ts";
import { loadCallScreen, preloadCallScreen } from "./lazy-routes.ts";

const PatientCall = lazy(async () => ({ default: (await loadCallScreen()).PatientCall }));

/** Why a link no longer opens its consultation, in plain words (no login form: there is no account). */ type ClosedText =
  { title: string; message: string };
const closedMessages = {
  INVITE_NOT_FOUND: {
    title: "This link does not work",
    message: "Check that you opened the whole link you were sent, or contact the clinic for a new one.",
  },
  INVITE_REVOKED: {
    title: "This link has been withdrawn",
    message: "The clinic has withdrawn this link. Please contact the clinic if you still need your consultation.",
  },
  INVITE_EXPIRED: {
    title: "This link has expired",
    message: "The time to join this consultation is over. Please contact the clinic for a new appointment.",
  },
  CONSULTATION_ENDED: {
    title: "The consultation has ended",
    message: "Thank you. You can close this page.",
  },
  APPOINTMENT_CANCELLED: {
    title: "This appointment was cancelled",
    message: "Please contact the clinic to arrange a new appointment.",
  },
} satisfies Record<string, ClosedText>;

function closedNotice(error: unknown): ClosedText | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 404) return closedMessages.INVITE_NOT_FOUND;
  if (error.status !== 410) return null;
  return error.code in closedMessages
    ? closedMessages[error.code as keyof typeof closedMessages]
    : closedMessages.INVITE_EXPIRED;
}

/**
 * `/join/<token>` (public, phone-first): a patient opens the invite link the clinic sent, with no
 * account and no password. The page exchanges the token for an access token good for this one
 * consultation, shows the doctor and the time (in the clinic's zone, named), the pre-call steps
 * (camera and microphone check; consent comes with Join, as on the patient's own page), waits for
 * the doctor ("Waiting for the doctor to start", polling the appointment), then shows the call
 * screen in place. After the end, a revocation, the expiry or a cancellation it says so plainly.
 */
export function JoinRoute() {
  const { token = "" } = useParams();
  const invite = useInvite(token);
  const user = useCurrentUser();

  // The invite's access token was refused on renewal (lib/api-client.ts signs it out): ask the
  // auth service again, which says why (revoked, expired, ended, cancelled).
  const lost = invite.isSuccess && !invite.isFetching && user === null;
  const { refetch } = invite;
  useEffect(() => {
    if (lost) void refetch();
  }, [lost, refetch]);

  let body: ReactNode;
  if (invite.isPending || (lost && !invite.isError)) {
    body = (
      <Center py="xl">
        <Loader aria-label="Opening your consultation" />
      </Center>
    );
  } else if (invite.isError) {
    const closed = closedNotice(invite.error);
    body = closed ? (
      <ClosedNotice {...closed} />
    ) : invite.error instanceof ApiError && invite.error.status === 429 ? (
      <Alert color="yellow" title="Too many attempts" role="alert">
        Please wait a minute, then reload this page.
      </Alert>
    ) : (
      <ErrorState error={invite.error} subject="Consultation" onRetry={() => void invite.refetch()} />
    );
  } else {
    body = <InvitedConsultation appointmentId={invite.data.appointment_id} onRefused={refetch} />;
  }

  return (
    <Container size={560} px="md" py="lg">
      <Stack>
        <Text fw={600} c="dimmed" size="sm">
          Clinic video consultations
        </Text>
        <main>
          <ErrorBoundary region="consultation">{body}</ErrorBoundary>
        </main>
      </Stack>
    </Container>
  );
}

function ClosedNotice({ title, message }: ClosedText) {
  return (
    <Alert color="blue" title={title} role="status">
      <Text size="sm">{message}</Text>
    </Alert>
  );
}

function InvitedConsultation({ appointmentId, onRefused }: { appointmentId: string; onRefused: () => unknown }) {
  const appointment = useInvitedAppointment(appointmentId, env.waitingPollMs);
  const { zone } = useClinicTimeZone();
  const queryClient = useQueryClient();
  const [inCall, setInCall] = useState(false);

  const status = appointment.data?.status;
  const sessionId = appointment.data?.session_id ?? null;
  const live = status === "IN_PROGRESS" && sessionId !== null;
  // The doctor may start any moment now: the call screen and the consent text are fetched ahead.
  useEffect(() => {
    if (!appointment.data || status === "COMPLETED" || status === "CANCELLED") return;
    preloadCallScreen();
    void queryClient.prefetchQuery(consentTextQueryOptions());
  }, [appointment.data, status, queryClient]);
  // Refused now (revoked or expired since the page opened): the exchange says which.
  const refused = appointment.error instanceof ApiError && [401, 403].includes(appointment.error.status);
  useEffect(() => {
    if (refused) onRefused();
  }, [refused, onRefused]);

  if (appointment.isPending || refused) {
    return (
      <Center py="xl">
        <Loader aria-label="Opening your consultation" />
      </Center>
    );
  }
  if (appointment.isError) {
    return <ErrorState error={appointment.error} subject="Consultation" onRetry={() => void appointment.refetch()} />;
  }
  const data = appointment.data;
  if (data.status === "COMPLETED") return <ClosedNotice {...closedMessages.CONSULTATION_ENDED} />;
  if (data.status === "CANCELLED") return <ClosedNotice {...closedMessages.APPOINTMENT_CANCELLED} />;

  if (inCall && sessionId) {
    return (
      <LoadErrorBoundary>
        <Suspense fallback={<PageLoading />}>
          <PatientCall sessionId={sessionId} onEnded={() => setInCall(false)} onLeave={() => setInCall(false)} />
        </Suspense>
      </LoadErrorBoundary>
    );
  }

  return (
    <Card withBorder padding="lg" component="section" aria-label="Your video consultation">
      <Stack gap="md">
        <Title order={1} size="h3">
          Your video consultation
        </Title>
        <Stack gap={4}>
          <Text>With {data.doctor_name}</Text>
          <Text>{formatDateTime(data.start_time, zone)}</Text>
          <Text size="sm" c="dimmed">
            {data.duration_minutes} minutes
          </Text>
        </Stack>
        {!data.video_enabled ? (
          <Text>This is an in-person appointment.</Text>
        ) : (
          <>
            <DeviceCheck />
            {live ? (
              <Text role="status" fw={600}>
                Your doctor has started the consultation.
              </Text>
            ) : (
              <Text role="status">
                Waiting for the doctor to start. This page updates by itself; please keep it open.
              </Text>
            )}
            <Button size="lg" disabled={!live} onClick={() => setInCall(true)}>
              Join
            </Button>
          </>
        )}
      </Stack>
    </Card>
  );
}
