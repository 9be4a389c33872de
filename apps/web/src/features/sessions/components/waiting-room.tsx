import { Alert, Button, Group, Paper, Stack, Switch, Text } from "@mantine/core";
import { useAdmitAttendee, useUpdateWaitingRoom } from "../api/waiting-room.ts";
import type { CallState } from "../media/call-state.ts";

/** The patient's side of the waiting room: who they wait for, and their place in line. */
export function WaitingNotice({ waiting }: { waiting: NonNullable<CallState["waiting"]> }) {
  return (
    <Alert color="blue" role="status" title={`Waiting for ${waiting.doctorName} to let you in`}>
      <Text size="sm">
        {waiting.position === 1
          ? "You are next. The doctor will let you in shortly."
          : `You are number ${waiting.position} in line. The doctor will let you in when it is your turn.`}
      </Text>
      <Text size="sm" mt="xs" c="dimmed">
        Keep this page open. Your camera stays on here, but nobody sees or hears you until the doctor lets you in.
      </Text>
    </Alert>
  );
}

/**
 * The doctor's side: who waits, with an Admit button each, and the auto-admit switch (let the
 * appointment's patient in without pressing Admit). The list comes from the signalling
 * socket's `lobby`, so it changes as soon as someone arrives or is let in.
 */
export function WaitingLobby({ sessionId, lobby }: { sessionId: string; lobby: NonNullable<CallState["lobby"]> }) {
  const admit = useAdmitAttendee();
  const setAutoAdmit = useUpdateWaitingRoom();
  const error = admit.error ?? setAutoAdmit.error;
  return (
    <Paper withBorder p="xs" component="section" aria-label="Waiting room">
      <Stack gap="xs">
        {lobby.waiting.map((w) => (
          <Group key={w.attendeeId} justify="space-between" wrap="wrap">
            <Text size="sm" fw={600} role="status">
              Patient waiting: {w.name}
            </Text>
            <Button
              size="xs"
              aria-label={`Admit ${w.name}`}
              loading={admit.isPending && admit.variables?.attendeeId === w.attendeeId}
              onClick={() => admit.mutate({ sessionId, attendeeId: w.attendeeId })}
            >
              Admit
            </Button>
          </Group>
        ))}
        <Switch
          size="sm"
          label="Admit the patient automatically"
          description="The patient joins without waiting for you to press Admit."
          checked={lobby.autoAdmit}
          disabled={setAutoAdmit.isPending}
          onChange={(event) => setAutoAdmit.mutate({ sessionId, autoAdmit: event.currentTarget.checked })}
        />
        {error && (
          <Text size="sm" c="red" role="alert">
            {error.message}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
