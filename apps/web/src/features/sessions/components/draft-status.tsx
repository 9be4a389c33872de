import { Button, Group, Text } from "@mantine/core";
import { formatClock } from "../../../lib/format.ts";
import type { DraftStatus } from "../notes/use-notes-draft.ts";

/** "Saving…", "Draft saved hh:mm" or "Not saved — Retry", announced politely to screen readers. */
export function DraftStatusLine({ status, onRetry }: { status: DraftStatus; onRetry: () => void }) {
  return (
    <Group gap={6} mih={26} wrap="nowrap">
      <Text size="sm" c={status.kind === "failed" ? "red.8" : "dimmed"} role="status" aria-live="polite">
        {status.kind === "saving" && "Saving…"}
        {status.kind === "saved" && `Draft saved ${formatClock(status.at)}`}
        {status.kind === "failed" && "Not saved —"}
      </Text>
      {status.kind === "failed" && (
        <Button size="compact-sm" variant="subtle" color="red" onClick={onRetry} aria-label="Retry saving the draft">
          Retry
        </Button>
      )}
    </Group>
  );
}
