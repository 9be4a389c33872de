import { Alert, Button, Group, Paper, Rating, Stack, Text, Textarea, Title } from "@mantine/core";
import { useState } from "react";
import { describeError } from "../../../components/error-state.tsx";
import { useUpdateNotes } from "../api/update-notes.ts";

export const NOTES_MAX = 500;

interface Props {
  sessionId: string;
  durationMinutes: number | null;
  initialNotes: string | null;
  initialRating: number | null;
  onDone: () => void;
}

/** Post-session notes panel (guide §UI 3): notes up to 500 characters and a 1–5 star rating. */
export function NotesPanel({ sessionId, durationMinutes, initialNotes, initialRating, onDone }: Props) {
  const [notes, setNotes] = useState((initialNotes ?? "").slice(0, NOTES_MAX));
  const [rating, setRating] = useState(initialRating ?? 0);
  const [tried, setTried] = useState(false);
  const save = useUpdateNotes(sessionId);
  const ratingValid = Number.isInteger(rating) && rating >= 1 && rating <= 5;

  const submit = () => {
    setTried(true);
    if (!ratingValid) return;
    save.mutate({ notes, quality_rating: rating });
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
        <Textarea
          label="Consultation Notes"
          description={`Max ${NOTES_MAX} characters`}
          placeholder="Add your consultation findings..."
          autosize
          minRows={5}
          maxLength={NOTES_MAX}
          value={notes}
          onChange={(e) => setNotes(e.currentTarget.value.slice(0, NOTES_MAX))}
        />
        <Text size="sm" c={notes.length >= NOTES_MAX ? "red.8" : "dimmed"} aria-live="polite" ta="right">
          {notes.length}/{NOTES_MAX}
        </Text>
        <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
          <Text component="legend" fw={500} size="sm" mb={4}>
            Session Quality Rating
          </Text>
          <Rating
            value={rating}
            onChange={setRating}
            count={5}
            size="lg"
            aria-label="Session quality rating"
            getSymbolLabel={(value) => `${value} ${value === 1 ? "star" : "stars"}`}
          />
          {tried && !ratingValid && (
            <Text size="sm" c="red.8" role="alert" mt={4}>
              Choose a rating from 1 to 5 stars.
            </Text>
          )}
        </fieldset>
        {save.isError && (
          <Alert color="red" role="alert" title="Notes were not saved">
            {describeError(save.error, "Session").message}
          </Alert>
        )}
        {save.isSuccess && (
          <Alert color="green" role="status">
            Notes saved.
          </Alert>
        )}
        <Group>
          <Button onClick={submit} loading={save.isPending}>
            Save Notes
          </Button>
          <Button variant="default" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
