import { Alert, Button, Group, Loader, Paper, Rating, Stack, Text, Textarea, Title } from "@mantine/core";
import { useState } from "react";
import { describeError } from "../../../components/error-state.tsx";
import { useUpdateNotes } from "../api/update-notes.ts";
import { cleanNotes, NOTES_MAX, type NotesValue, sameNotes } from "../notes/notes-text.ts";
import { useNotesDraft } from "../notes/use-notes-draft.ts";
import { DraftStatusLine } from "./draft-status.tsx";
import { LeaveGuard } from "./leave-guard.tsx";

export { NOTES_MAX };

interface Props {
  sessionId: string;
  durationMinutes: number | null;
  /** The session's saved notes and rating (GET /sessions/{id}): what "unsaved" is measured against. */
  savedNotes: string | null;
  savedRating: number | null;
  onDone: () => void;
}

/**
 * Post-session notes panel (guide §UI 3): notes up to 500 characters and an optional 1–5 star
 * rating. It starts from the draft written during the call (or the saved notes), keeps
 * saving the draft as the doctor types, and Save Notes makes it the session's notes.
 */
export function NotesPanel({ sessionId, durationMinutes, savedNotes, savedRating, onDone }: Props) {
  const draft = useNotesDraft(sessionId);
  const [saved, setSaved] = useState<NotesValue>({ notes: savedNotes ?? "", rating: savedRating });
  const save = useUpdateNotes(sessionId);
  const value = draft.value;
  const unsaved = value !== null && (draft.unsynced || !sameNotes(value, saved));

  const submit = async () => {
    if (!value) return;
    // No draft save may land after the final one (it would bring the draft back).
    await draft.settle();
    save.mutate(
      { notes: value.notes, quality_rating: value.rating },
      {
        onSuccess: (result) => {
          const now = { notes: result.notes ?? "", rating: result.quality_rating };
          setSaved(now);
          draft.savedAsFinal(now);
        },
        onError: () => void draft.saveNow(),
      },
    );
  };

  return (
    <Paper withBorder p="lg" radius="md" maw={560} component="section" aria-labelledby="notes-title">
      <Stack>
        <Title order={2} id="notes-title">
          Session Completed
        </Title>
        <Text>
          Duration:{" "}
          {durationMinutes === null
            ? "—"
            : durationMinutes < 1
              ? "less than a minute"
              : `${durationMinutes} ${durationMinutes === 1 ? "minute" : "minutes"}`}
        </Text>
        <Text>
          Session ID:{" "}
          <Text span ff="monospace">
            {sessionId}
          </Text>
        </Text>
        {draft.loadError ? (
          <Alert color="red" role="alert" title="The notes could not be loaded">
            <Text size="sm">{describeError(draft.loadError, "Session").message}</Text>
            <Button mt="xs" size="xs" onClick={draft.reload}>
              Load notes again
            </Button>
          </Alert>
        ) : !value ? (
          <Loader aria-label="Loading notes" />
        ) : (
          <>
            {draft.source === "draft" && !sameNotes(value, saved) && (
              <Text size="sm" c="dimmed">
                Continuing your draft. Save Notes to add it to the consultation.
              </Text>
            )}
            <Textarea
              label="Consultation Notes"
              description={`Max ${NOTES_MAX} characters`}
              placeholder="Add your consultation findings..."
              autosize
              minRows={5}
              maxLength={NOTES_MAX}
              value={value.notes}
              onChange={(e) => draft.setNotes(cleanNotes(e.currentTarget.value))}
              onBlur={draft.blur}
            />
            <Group justify="space-between" wrap="nowrap">
              <DraftStatusLine status={draft.status} onRetry={() => void draft.saveNow()} />
              <Text size="sm" c={value.notes.length >= NOTES_MAX ? "red.8" : "dimmed"} aria-live="polite" ta="right">
                {value.notes.length}/{NOTES_MAX}
              </Text>
            </Group>
            <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
              <Text component="legend" fw={500} size="sm" mb={4}>
                Session Quality Rating (optional)
              </Text>
              <Rating
                value={value.rating ?? 0}
                onChange={(rating) => draft.setRating(rating >= 1 && rating <= 5 ? rating : null)}
                count={5}
                size="lg"
                aria-label="Session quality rating"
                getSymbolLabel={(stars) => `${stars} ${stars === 1 ? "star" : "stars"}`}
              />
            </fieldset>
          </>
        )}
        {save.isError && (
          <Alert color="red" role="alert" title="Notes were not saved">
            {describeError(save.error, "Session").message}
          </Alert>
        )}
        {save.isSuccess && !unsaved && (
          <Alert color="green" role="status">
            Notes saved.
          </Alert>
        )}
        <Group>
          <Button onClick={() => void submit()} loading={save.isPending} disabled={!value}>
            Save Notes
          </Button>
          <Button variant="default" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
      <LeaveGuard
        block={unsaved}
        warnOnUnload={draft.unsynced}
        message={
          draft.unsynced
            ? "Your latest changes are not saved yet. If you leave now, they will be lost."
            : "Your notes are kept as a draft but are not saved to the consultation yet. Save Notes to add them."
        }
        onLeave={draft.discard}
      />
    </Paper>
  );
}
