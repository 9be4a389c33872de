import { Button, Loader, Paper, Rating, Stack, Text, Title } from "@mantine/core";
import { ErrorState } from "../../../components/error-state.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import { useSession } from "../api/get-session.ts";
import { CallQualityTable } from "./call-quality-table.tsx";
import { NotesPanel } from "./notes-panel.tsx";

interface Props {
  sessionId: string;
  /** Opens the notes panel in edit mode instead of showing notes read-only. */
  editNotes: boolean;
  onBack: () => void;
  onEditNotes: () => void;
  onJoin: () => void;
}

const minutes = (seconds: number | null | undefined) => (typeof seconds === "number" ? Math.round(seconds / 60) : null);

/**
 * One session: its facts, and for a completed one its notes and rating (editable by the doctor)
 * with each side's call-quality summary beside the rating.
 */
export function SessionDetailsView({ sessionId, editNotes, onBack, onEditNotes, onJoin }: Props) {
  const session = useSession(sessionId);
  const back = (
    <Button size="xs" variant="default" onClick={onBack}>
      Back to the list
    </Button>
  );
  if (session.isPending) return <Loader aria-label="Loading session" />;
  if (session.isError)
    return <ErrorState error={session.error} subject="Session" action={back} onRetry={() => void session.refetch()} />;
  const s = session.data;
  if (editNotes && s.status === "COMPLETED") {
    return (
      <NotesPanel
        sessionId={s.session_id}
        durationMinutes={minutes(s.duration_seconds)}
        savedNotes={s.notes ?? null}
        savedRating={s.quality_rating ?? null}
        onDone={onBack}
      />
    );
  }
  return (
    <Paper withBorder p="lg" maw={640} component="section" aria-labelledby="session-title">
      <Stack gap="xs">
        <Title order={2} id="session-title">
          Session with {s.patient_name}
        </Title>
        <Text>Status: {s.status}</Text>
        <Text>
          Session ID:{" "}
          <Text span ff="monospace">
            {s.session_id}
          </Text>
        </Text>
        <Text>Start: {formatDateTime(s.start_time)}</Text>
        <Text>End: {formatDateTime(s.end_time)}</Text>
        <Text>Duration: {minutes(s.duration_seconds) ?? "—"} minutes</Text>
        {s.status === "COMPLETED" && (
          <>
            <Text fw={600}>Consultation notes</Text>
            <Text style={{ whiteSpace: "pre-wrap" }}>{s.notes || "No notes yet."}</Text>
            <Text fw={600}>Quality rating</Text>
            {s.quality_rating ? (
              <Rating
                value={s.quality_rating}
                readOnly
                role="img"
                aria-label={`Rated ${s.quality_rating} of 5 stars`}
              />
            ) : (
              <Text>Not rated yet.</Text>
            )}
            <Text fw={600}>Call quality</Text>
            <CallQualityTable reports={s.quality_reports ?? []} />
            <Button onClick={onEditNotes} w="fit-content">
              Edit Notes
            </Button>
          </>
        )}
        {s.status === "IN_PROGRESS" && (
          <Button onClick={onJoin} w="fit-content">
            View Session
          </Button>
        )}
        {back}
      </Stack>
    </Paper>
  );
}
