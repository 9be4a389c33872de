import { Alert, Badge, Box, Button, Card, Flex, Group, List, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useClinicTimeZone } from "../../../lib/clinic-time-zone.ts";
import { formatElapsed, formatTime } from "../../../lib/format.ts";
import type { SessionAttendee, SessionDetails } from "../api/get-session.ts";
import type { CallState, Quality } from "../media/call-state.ts";
import type { DeviceKind } from "../media/devices.ts";
import { PermissionHelp } from "../precall/permission-help.tsx";
import { CallControls } from "./call-controls.tsx";
import { VideoView } from "./video-view.tsx";
import { WaitingLobby, WaitingNotice } from "./waiting-room.tsx";

interface Props {
  role: "DOCTOR" | "PATIENT";
  state: CallState;
  session: SessionDetails | undefined;
  elapsedSeconds: number;
  onToggleAudio: () => void;
  onToggleVideo: () => void;
  onToggleScreenShare: () => void;
  /** The Devices menu: another camera, microphone or speaker mid-call. */
  onSwitchDevice?: (kind: DeviceKind, deviceId: string) => void;
  onRetry: () => void;
  onEnd: () => void;
  /** The doctor's notes panel, shown beside the video (below it on a narrow screen). */
  notes?: ReactNode;
  notesOpen?: boolean;
  onToggleNotes?: () => void;
  /** The doctor's Mute/Remove controls for a participant (participant control), beside their name. */
  participantActions?: (attendee: SessionAttendee) => ReactNode;
}

const qualityColour: Record<Quality, string> = { good: "green", fair: "yellow", poor: "red", unknown: "gray" };
const qualityLabel: Record<Quality, string> = { good: "Good", fair: "Fair", poor: "Poor", unknown: "Measuring…" };

function statusLine(role: Props["role"], state: CallState, attendees: SessionAttendee[]): string | null {
  if (state.phase === "starting") return "Starting your camera and microphone…";
  if (state.phase === "connecting") return "Connecting…";
  if (state.phase === "reconnecting") {
    const seconds = state.nextRetryInMs === null ? null : Math.round(state.nextRetryInMs / 1000);
    return `Reconnecting… (attempt ${state.reconnectAttempt}${seconds === null ? "" : `, retrying in ${seconds} s`})`;
  }
  if (state.phase !== "connected") return null;
  // The waiting room says it itself (WaitingNotice / WaitingLobby).
  if (state.waiting || (role === "DOCTOR" && (state.lobby?.waiting.length ?? 0) > 0)) return null;
  const other = role === "DOCTOR" ? "PATIENT" : "DOCTOR";
  const otherName = role === "DOCTOR" ? "Patient" : "Your doctor";
  const streaming = state.remotes.some((r) => r.user_type === other && r.stream !== null);
  if (streaming) return null;
  const joining =
    attendees.some((a) => a.user_type === other && a.status === "JOINING") ||
    state.remotes.some((r) => r.user_type === other);
  return joining ? `${otherName} is joining…` : `Waiting for ${otherName.toLowerCase()} to join`;
}

/** What weak-network adaptation tells: this side went audio-only, or the other side did. */
function weakNetworkNotices(
  role: Props["role"],
  state: CallState,
  remote: CallState["remotes"][number] | null,
  session: SessionDetails | undefined,
): string[] {
  if (state.phase !== "connected") return [];
  const notices: string[] = [];
  if (state.adaptation === "audio-only") notices.push("Your connection is weak — switched to audio only");
  if (remote?.audioOnly) {
    const name = role === "DOCTOR" ? (session?.patient_name ?? remote.name) : remote.name;
    notices.push(`${name}'s connection is weak — audio only`);
  }
  return notices;
}

/** The video consultation window (guide §UI 2), shared by doctor and patient. */
export function CallWindow({
  role,
  state,
  session,
  elapsedSeconds,
  onRetry,
  notes,
  participantActions,
  ...controls
}: Props) {
  const otherType = role === "DOCTOR" ? "PATIENT" : "DOCTOR";
  const remote = state.remotes.find((r) => r.user_type === otherType) ?? state.remotes[0] ?? null;
  const remoteLabel = role === "DOCTOR" ? "Patient video" : "Doctor video";
  // Weak-network adaptation: an audio-only side sends no video, and is sent none.
  const audioOnly = state.adaptation === "audio-only" || remote?.audioOnly === true;
  const cameraOff = !remote?.stream || !remote.video || audioOnly;
  const weakNotices = weakNetworkNotices(role, state, remote, session);
  const attendees = (session?.attendees ?? []).filter((a) => a.status === "CONNECTED" || a.status === "JOINING");
  const status = statusLine(role, state, session?.attendees ?? []);
  const title = role === "DOCTOR" ? `Video Consultation: ${session?.patient_name ?? "…"}` : "Video Consultation";
  const canShareScreen = role === "DOCTOR" && typeof navigator.mediaDevices?.getDisplayMedia === "function";
  // The call renders before the clinic's zone is known (app-layout): re-render when it is.
  const { zone } = useClinicTimeZone();

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h3">
          {title}
        </Title>
        <Group gap="xs">
          <Badge
            color={qualityColour[state.quality]}
            variant="light"
            aria-label={`Connection quality: ${qualityLabel[state.quality]}`}
          >
            Connection: {qualityLabel[state.quality]}
          </Badge>
          <Text fw={700} ff="monospace" aria-label="Elapsed time" role="timer">
            {formatElapsed(elapsedSeconds)}
          </Text>
        </Group>
      </Group>

      {status && (
        <Alert color={state.phase === "reconnecting" ? "yellow" : "blue"} role="status" py="xs">
          {status}
        </Alert>
      )}
      {state.phase === "connected" && state.waiting && <WaitingNotice waiting={state.waiting} />}
      {role === "DOCTOR" && state.phase === "connected" && state.lobby && session && (
        <WaitingLobby sessionId={session.session_id} lobby={state.lobby} />
      )}
      {(state.phase === "media-denied" || state.phase === "media-error" || state.phase === "failed") && (
        <Alert
          color="red"
          role="alert"
          title={state.phase === "failed" ? "Connection failed" : "Camera or microphone unavailable"}
        >
          <Text size="sm">{state.message}</Text>
          {state.phase === "media-denied" && <PermissionHelp />}
          <Button mt="sm" size="xs" onClick={onRetry}>
            Retry
          </Button>
        </Alert>
      )}
      {state.phase === "connected" && state.message && (
        <Alert color="yellow" role="status" py="xs">
          {state.message}
        </Alert>
      )}
      {weakNotices.map((notice) => (
        <Alert key={notice} color="orange" role="status" py="xs">
          {notice}
        </Alert>
      ))}

      {/* The same tree whether the notes are open or not: the video elements are never re-mounted. */}
      <Flex gap="sm" wrap="wrap" align="flex-start">
        <Box
          pos="relative"
          flex="1 1 480px"
          miw={0}
          style={{ aspectRatio: "16 / 9", maxHeight: "70vh", borderRadius: 8, overflow: "hidden", background: "#111" }}
        >
          <VideoView
            stream={remote?.stream ?? null}
            label={remoteLabel}
            hidden={cameraOff}
            fit="contain"
            sinkId={state.devices.audiooutput}
          />
          {cameraOff && (
            <Card
              pos="absolute"
              top="50%"
              left="50%"
              style={{ transform: "translate(-50%, -50%)" }}
              withBorder
              aria-label={role === "DOCTOR" ? "Patient card" : "Doctor card"}
            >
              <Text fw={700}>
                {role === "DOCTOR"
                  ? (session?.patient_name ?? remote?.name ?? "Patient")
                  : (remote?.name ?? "Your doctor")}
              </Text>
              {role === "DOCTOR" && session && <Text size="sm">Patient ID: {session.patient_id}</Text>}
              <Text size="sm" c="dimmed">
                {remote ? (audioOnly ? "Audio only (weak connection)" : "Camera is off") : "Not connected yet"}
              </Text>
            </Card>
          )}
          <Box
            pos="absolute"
            right={12}
            bottom={12}
            w={{ base: 112, sm: 200 }}
            style={{ aspectRatio: "4 / 3", borderRadius: 6, overflow: "hidden", border: "2px solid white" }}
          >
            <VideoView stream={state.previewStream} label="Your video" muted mirrored={!state.screenSharing} />
          </Box>
        </Box>
        {notes && (
          <Box flex={controls.notesOpen ? "1 1 300px" : "0 0 0"} maw={{ md: 420 }} miw={0}>
            {notes}
          </Box>
        )}
      </Flex>

      <Group justify="space-between" wrap="wrap" align="flex-start">
        <CallControls role={role} state={state} canShareScreen={canShareScreen} {...controls} />
        <Paper withBorder p="xs" component="section" aria-label="Session information">
          <Text size="sm">
            Session ID:{" "}
            <Text span ff="monospace">
              {session?.session_id ?? "…"}
            </Text>
          </Text>
          {role === "DOCTOR" && (
            <Text size="sm">
              Patient: {session?.patient_name ?? "…"} (ID {session?.patient_id ?? "…"})
            </Text>
          )}
          <Text size="sm">Start time: {formatTime(session?.start_time, zone)}</Text>
        </Paper>
      </Group>

      <section aria-label="Participants">
        <Text fw={600} size="sm">
          Participants ({attendees.length})
        </Text>
        <List size="sm">
          {attendees.map((a) => (
            <List.Item key={a.attendee_id}>
              {a.name} ({a.user_type === "DOCTOR" ? "Doctor" : "Patient"}) —{" "}
              {a.status === "JOINING"
                ? "joining…"
                : state.lobby?.waiting.some((w) => w.attendeeId === a.attendee_id)
                  ? "in the waiting room"
                  : "connected"}
              {participantActions && a.user_type !== "DOCTOR" && participantActions(a)}
            </List.Item>
          ))}
        </List>
      </section>
    </Stack>
  );
}
