import { Alert, Group, Loader, Stack } from "@mantine/core";
import { useCallback, useState } from "react";
import { Navigate, useNavigate, useParams } from "react-router";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { ErrorState } from "../../components/error-state.tsx";
import { useCurrentUser } from "../../features/auth/use-current-user.ts";
import { useConsentText } from "../../features/consent/api/consent.ts";
import { ConsentStep } from "../../features/consent/components/consent-step.tsx";
import { type SessionDetails, useSession } from "../../features/sessions/api/get-session.ts";
import { CallScreen } from "../../features/sessions/components/call-screen.tsx";
import { PreCallCheckButton } from "../../features/sessions/precall/precall-check-button.tsx";
import { formatDateTime } from "../../lib/format.ts";

/** How often the doctor's call page re-reads the session for the patient's consent answer. */
const consentPollMs = 5_000;

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
  const call = (
    <ErrorBoundary region="video call">
      <CallScreen key={sessionId} sessionId={sessionId} role={user.role} onEnded={onEnded} onLeave={onLeave} />
    </ErrorBoundary>
  );
  if (isDoctor) {
    return (
      <Stack gap="xs">
        <PatientConsentNotice sessionId={sessionId} />
        {/* Camera, microphone, speaker and connection, checked before or during the call. */}
        <Group justify="flex-end">
          <PreCallCheckButton />
        </Group>
        {call}
      </Stack>
    );
  }
  return (
    <PatientConsentGate key={sessionId} sessionId={sessionId}>
      {call}
    </PatientConsentGate>
  );
}

/**
 * The patient's side of a call outside the signed-in layout: the invite link's page
 * (`/join/<token>`) shows it with the invite's access token, consent first like the patient's
 * own call page.
 */
// The call screen's `role` prop is the person's role, not an ARIA role.
const patientRole = "PATIENT" as const;

export function PatientCall({
  sessionId,
  onEnded,
  onLeave,
}: {
  sessionId: string;
  onEnded: () => void;
  onLeave: () => void;
}) {
  return (
    <PatientConsentGate key={sessionId} sessionId={sessionId}>
      <ErrorBoundary region="video call">
        <CallScreen key={sessionId} sessionId={sessionId} role={patientRole} onEnded={onEnded} onLeave={onLeave} />
      </ErrorBoundary>
    </PatientConsentGate>
  );
}

/**
 * The patient's camera and microphone start only after they have agreed to the clinic's
 * telehealth consent (the server refuses their join until then, unless the clinic turned
 * consent off: `required: false`).
 */
function PatientConsentGate({ sessionId, children }: { sessionId: string; children: React.ReactNode }) {
  const session = useSession(sessionId);
  const text = useConsentText();
  const [given, setGiven] = useState(false);
  if (session.isPending || text.isPending) return <Loader aria-label="Preparing your consultation" />;
  if (session.isError)
    return <ErrorState error={session.error} subject="Session" onRetry={() => void session.refetch()} />;
  const answered = consentOf(session.data)?.decision ?? null;
  if (given || answered === "GIVEN" || (text.data && !text.data.required)) return <>{children}</>;
  return (
    <ConsentStep
      sessionId={sessionId}
      doctorName={doctorNameOf(session.data)}
      previous={answered}
      onGiven={() => setGiven(true)}
    />
  );
}

/** Tells the doctor, during the call, that the patient declined (and so will not join). */
function PatientConsentNotice({ sessionId }: { sessionId: string }) {
  const session = useSession(sessionId, consentPollMs);
  const consent = session.data ? consentOf(session.data) : null;
  if (consent?.decision !== "DECLINED") return null;
  return (
    <Alert color="orange" role="alert" title="The patient declined the video consultation">
      They did not agree to the clinic's telehealth consent (version {consent.text_version}) at{" "}
      {formatDateTime(consent.decided_at)}, so their camera and microphone stay off and they will not join. You may end
      the session and arrange another kind of visit.
    </Alert>
  );
}

const consentOf = (session: SessionDetails) => session.consent ?? null;
const doctorNameOf = (session: SessionDetails) =>
  session.attendees.find((a) => a.user_type === "DOCTOR")?.name ?? undefined;
