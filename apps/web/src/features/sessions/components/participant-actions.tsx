import { Button, Group, Modal, Text } from "@mantine/core";
import { useState } from "react";
import type { SessionAttendee } from "../api/get-session.ts";
import { useMuteAttendee, useRemoveAttendee } from "../api/participant-control.ts";

interface Props {
  sessionId: string;
  attendee: SessionAttendee;
}

/**
 * The doctor's controls for one participant in the call window: **Mute** asks their browser to
 * mute its microphone (they are told, and may unmute again), **Remove** (after a confirmation)
 * ends the call for them; they need a new invite link to come back.
 */
export function ParticipantActions({ sessionId, attendee }: Props) {
  const mute = useMuteAttendee();
  const remove = useRemoveAttendee();
  const [confirming, setConfirming] = useState(false);
  const target = { sessionId, attendeeId: attendee.attendee_id };
  const error = mute.error ?? remove.error;

  return (
    <>
      <Group gap={4} component="span" display="inline-flex" ml="xs">
        <Button
          size="compact-xs"
          variant="default"
          aria-label={`Mute ${attendee.name}`}
          loading={mute.isPending}
          onClick={() => {
            remove.reset();
            mute.mutate(target);
          }}
        >
          {mute.isSuccess ? "Muted" : "Mute"}
        </Button>
        <Button
          size="compact-xs"
          variant="light"
          color="red"
          aria-label={`Remove ${attendee.name}`}
          onClick={() => setConfirming(true)}
        >
          Remove
        </Button>
      </Group>
      {error && (
        <Text component="span" size="xs" c="red" role="alert" ml="xs">
          {error.message}
        </Text>
      )}
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={`Remove ${attendee.name}?`}
        closeButtonProps={{ "aria-label": "Cancel" }}
        centered
      >
        <Text size="sm">
          They leave the call at once and cannot join this consultation again unless you send them a new invite link.
        </Text>
        <Group justify="flex-end" mt="lg">
          <Button variant="default" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() => {
              mute.reset();
              remove.mutate(target, { onSettled: () => setConfirming(false) });
            }}
          >
            Remove from call
          </Button>
        </Group>
      </Modal>
    </>
  );
}
