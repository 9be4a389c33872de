import { Alert, Button, CloseButton, Group, Loader, Paper, Stack, Text, Textarea, Title } from "@mantine/core";
import { useEffect, useRef } from "react";
import { describeError } from "../../../components/error-state.tsx";
import { cleanNotes, NOTES_MAX } from "../notes/notes-text.ts";
import { useNotesDraft } from "../notes/use-notes-draft.ts";
import { DraftStatusLine } from "./draft-status.tsx";
import { LeaveGuard } from "./leave-guard.tsx";

export const CALL_NOTES_PANEL_ID = "call-notes-panel";
export const CALL_NOTES_TOGGLE_ID = "call-notes-toggle";

interface Props {
  sessionId: string;
  /** Closed, the panel stays mounted (hidden), so a pending save still happens. */
  hidden: boolean;
  onClose: () => void;
}

/**
 * Notes during the call (issue 16), beside the video: a draft saved on the server as the
 * doctor types. The rating comes after the call; the post-call panel continues this draft.
 */
export function CallNotesPanel({ sessionId, hidden, onClose }: Props) {
  const draft = useNotesDraft(sessionId);
  const field = useRef<HTMLTextAreaElement>(null);
  const loaded = draft.value !== null;

  useEffect(() => {
    if (!hidden && loaded) field.current?.focus();
  }, [hidden, loaded]);

  const close = () => {
    draft.blur();
    onClose();
    document.getElementById(CALL_NOTES_TOGGLE_ID)?.focus();
  };

  return (
    <Paper
      withBorder
      p="sm"
      component="aside"
      id={CALL_NOTES_PANEL_ID}
      aria-labelledby="call-notes-title"
      hidden={hidden}
      display={hidden ? "none" : undefined}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h5" id="call-notes-title">
            Notes
          </Title>
          <CloseButton aria-label="Close notes" onClick={close} />
        </Group>
        {draft.loadError ? (
          <Alert color="red" role="alert" title="The notes could not be loaded">
            <Text size="sm">{describeError(draft.loadError, "Session").message}</Text>
            <Button mt="xs" size="xs" onClick={draft.reload}>
              Load notes again
            </Button>
          </Alert>
        ) : !draft.value ? (
          <Loader size="sm" aria-label="Loading notes" />
        ) : (
          <>
            <Textarea
              ref={field}
              label="Consultation Notes"
              description="Saved as a draft as you type. Finish and save them after the call."
              autosize
              minRows={6}
              maxRows={14}
              maxLength={NOTES_MAX}
              value={draft.value.notes}
              onChange={(e) => draft.setNotes(cleanNotes(e.currentTarget.value))}
              onBlur={draft.blur}
            />
            <Group justify="space-between" wrap="nowrap">
              <DraftStatusLine status={draft.status} onRetry={() => void draft.saveNow()} />
              <Text size="sm" c={draft.value.notes.length >= NOTES_MAX ? "red.8" : "dimmed"}>
                {draft.value.notes.length}/{NOTES_MAX}
              </Text>
            </Group>
          </>
        )}
      </Stack>
      <LeaveGuard
        block={draft.unsynced}
        warnOnUnload={draft.unsynced}
        // Ending the call opens the post-call panel, which continues with this text.
        allow={(pathname) => pathname === `/doctor/sessions/${sessionId}/notes`}
        message="Your latest notes are not saved yet. If you leave now, they will be lost."
        onLeave={draft.discard}
      />
    </Paper>
  );
}
