import { Alert, Button, Loader, Stack, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import { ErrorState } from "../../../components/error-state.tsx";
import { env } from "../../../config/env.ts";
import { activity } from "../../../lib/activity.ts";
import { ApiError } from "../../../lib/api-error.ts";
import { credentialsHandoff } from "../api/credentials-handoff.ts";
import { useEndSession } from "../api/end-session.ts";
import { type SessionAttendee, useSession } from "../api/get-session.ts";
import { joinAhead } from "../api/join-ahead.ts";
import { joinForCredentials } from "../api/join-session.ts";
import { useCallQualityReport } from "../api/report-call-quality.ts";
import { markCall } from "../media/call-marks.ts";
import { type CallEngine, isRemovedError, REMOVED_MESSAGE } from "../media/call-state.ts";
import { createCallEngine } from "../media/create-call-engine.ts";
import { openCameraAndMicrophone, releaseMedia } from "../media/devices.ts";
import { useCallState } from "../media/use-call-state.ts";
import { CallNotesPanel } from "./call-notes-panel.tsx";
import { CallWindow } from "./call-window.tsx";
import { EndCallDialog } from "./end-call-dialog.tsx";
import { ParticipantActions } from "./participant-actions.tsx";

interface Props {
  sessionId: string;
  role: "DOCTOR" | "PATIENT";
  /** The meeting is over (ended here or by the doctor elsewhere). */
  onEnded: () => void;
  /** The person left without ending (patient "Leave"), or wants to go back. */
  onLeave: () => void;
}

/** Time since the session started: from the server's duration when known, else since opening. */
function useElapsedSeconds(durationSeconds: number | null | undefined, fetchedAt: number) {
  const startedAt = useRef<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  if (startedAt.current === null) startedAt.current = Date.now();
  const fromServer = useRef(false);
  if (!fromServer.current && typeof durationSeconds === "number" && fetchedAt > 0) {
    startedAt.current = Math.min(startedAt.current, fetchedAt - durationSeconds * 1000);
    fromServer.current = true;
  }
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, (now - startedAt.current) / 1000);
}

export function CallScreen({ sessionId, role, onEnded, onLeave }: Props) {
  const [engine, setEngine] = useState<CallEngine | null>(null);
  const [setupError, setSetupError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [confirming, setConfirming] = useState(false);
  // The doctor's notes panel: mounted at the first open, then only hidden, so a draft save
  // waiting for its debounce still happens after the panel is closed.
  const [notesOpen, setNotesOpen] = useState(false);
  const [notesMounted, setNotesMounted] = useState(false);
  const state = useCallState(engine);
  const session = useSession(sessionId, env.attendeePollMs);
  const end = useEndSession();
  // This side's call-stats summary for the quality record, sent when the call ends for this window.
  useCallQualityReport(sessionId, engine);
  // A call in progress is activity: a doctor in a consultation does not touch the page, and
  // must not be signed out for it (features/auth/idle).
  const inCall = state.phase === "connecting" || state.phase === "connected" || state.phase === "reconnecting";
  useEffect(() => (inCall ? activity.hold() : undefined), [inCall]);
  const elapsed = useElapsedSeconds(
    session.data?.status === "IN_PROGRESS" ? session.data.duration_seconds : undefined,
    session.dataUpdatedAt,
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `attempt` (Retry) joins again.
  useEffect(() => {
    let cancelled = false;
    let created: CallEngine | null = null;
    setSetupError(null);
    void (async () => {
      // This screen is behind the patient's consent (session-call.tsx), so the camera and
      // microphone may start now: asked for while POST /join is under way rather than after
      // it (it was ~40 % of a Join click's time to the first frame, bench/README.md), and handed
      // to the engine; released if no engine takes them (join refused, left meanwhile).
      // The patient's Join click may have asked for both already (join-ahead.ts).
      const ahead = joinAhead.take(sessionId);
      const media = ahead?.media ?? openCameraAndMicrophone();
      media.catch(() => undefined); // a refusal is the engine's to explain (media-denied)
      const socket = ahead?.socket ?? null;
      let handed = false;
      try {
        if (!ahead) markCall("join-requested");
        const credentials =
          credentialsHandoff.take(sessionId) ?? (await (ahead?.credentials ?? joinForCredentials(sessionId)));
        markCall("join-answered");
        const next = await createCallEngine(credentials, () => joinForCredentials(sessionId));
        if (cancelled) return;
        created = next;
        setEngine(next);
        handed = true;
        await next.start(media, socket);
      } catch (error) {
        if (!cancelled) setSetupError(error);
      } finally {
        if (!handed) {
          releaseMedia(media);
          socket?.close(1000, "unused");
        }
      }
    })();
    return () => {
      cancelled = true;
      created?.leave();
    };
  }, [sessionId, attempt]);

  const endedHere = state.phase === "ended" || session.data?.status === "COMPLETED";
  useEffect(() => {
    if (endedHere && role === "DOCTOR") onEnded();
  }, [endedHere, role, onEnded]);

  // Removed by the doctor (participant control): final, whether the call said so or a rejoin was refused.
  if (state.phase === "removed" || isRemovedError(setupError)) return <RemovedNotice onBack={onLeave} />;
  if (setupError) {
    if (setupError instanceof ApiError && setupError.status === 409) {
      return <EndedNotice role={role} onBack={onLeave} />;
    }
    return (
      <ErrorState
        error={setupError}
        subject="Session"
        onRetry={
          setupError instanceof ApiError && setupError.status >= 400 && setupError.status < 500
            ? undefined
            : () => setAttempt((n) => n + 1)
        }
        action={
          <Button size="xs" variant="default" onClick={onLeave}>
            {role === "DOCTOR" ? "Back to appointments" : "Back to my appointment"}
          </Button>
        }
      />
    );
  }
  if (endedHere && role === "PATIENT") return <EndedNotice role={role} onBack={onLeave} />;
  if (state.phase === "replaced") {
    return (
      <Alert color="yellow" title="Opened elsewhere" role="alert">
        <Text size="sm">{state.message}</Text>
        <Button mt="sm" size="xs" onClick={() => setAttempt((n) => n + 1)}>
          Use this window instead
        </Button>
      </Alert>
    );
  }
  if (!engine) {
    return (
      <Stack align="center" py="xl" role="status">
        <Loader />
        <Text>Joining the consultation…</Text>
      </Stack>
    );
  }

  const confirmEnd = () =>
    end.mutate(sessionId, {
      onSuccess: () => {
        engine.leave();
        setConfirming(false);
        onEnded();
      },
    });

  return (
    <>
      <CallWindow
        role={role}
        state={state}
        session={session.data}
        elapsedSeconds={elapsed}
        onToggleAudio={() => engine.setAudio(!state.audioEnabled)}
        onToggleVideo={() => engine.setVideo(!state.videoEnabled)}
        onToggleScreenShare={() => void engine.toggleScreenShare().catch(() => undefined)}
        onSwitchDevice={(kind, deviceId) => void engine.switchDevice(kind, deviceId).catch(() => undefined)}
        onRetry={() => void engine.retry()}
        {...(role === "DOCTOR"
          ? {
              notesOpen,
              participantActions: (attendee: SessionAttendee) => (
                <ParticipantActions sessionId={sessionId} attendee={attendee} />
              ),
              onToggleNotes: () => {
                setNotesMounted(true);
                setNotesOpen((open) => !open);
              },
              notes: notesMounted ? (
                <CallNotesPanel sessionId={sessionId} hidden={!notesOpen} onClose={() => setNotesOpen(false)} />
              ) : null,
            }
          : {})}
        onEnd={() => {
          if (role === "DOCTOR") setConfirming(true);
          else {
            engine.leave();
            onLeave();
          }
        }}
      />
      {end.isError && <ErrorState error={end.error} subject="Session" />}
      <EndCallDialog
        opened={confirming}
        ending={end.isPending}
        onCancel={() => setConfirming(false)}
        onConfirm={confirmEnd}
      />
    </>
  );
}

function RemovedNotice({ onBack }: { onBack: () => void }) {
  return (
    <Alert color="orange" title="You left the consultation" role="alert">
      <Text size="sm">{REMOVED_MESSAGE}</Text>
      <Text size="sm" mt="xs">
        If this was a mistake, ask the clinic for a new invite link.
      </Text>
      <Button mt="sm" size="xs" variant="light" onClick={onBack}>
        Back to my appointment
      </Button>
    </Alert>
  );
}

function EndedNotice({ role, onBack }: { role: Props["role"]; onBack: () => void }) {
  return (
    <Alert color="blue" title="The consultation has ended" role="status">
      <Text size="sm">Thank you. You can close this window.</Text>
      <Button mt="sm" size="xs" variant="light" onClick={onBack}>
        {role === "DOCTOR" ? "Back to appointments" : "Back to my appointment"}
      </Button>
    </Alert>
  );
}
