import { Button, Tooltip } from "@mantine/core";
import { env } from "../../../config/env.ts";
import { joinWindow, joinWindowHint, joinWindowState } from "../join-window.ts";

interface Props {
  startTime: string;
  durationMinutes: number;
  now: Date;
  /** Set when video is unavailable for a reason other than time (e.g. free tier exceeded). */
  blockedReason: string | null;
  loading: boolean;
  onStart: () => void;
}

/** "Start Video": enabled only inside the join window, with a tooltip saying when it opens. */
export function StartVideoButton({ startTime, durationMinutes, now, blockedReason, loading, onStart }: Props) {
  const window = joinWindow(startTime, durationMinutes, env.joinWindowBeforeMin, env.joinWindowAfterMin);
  const open = joinWindowState(window, now) === "open";
  const hint = blockedReason ?? joinWindowHint(window, now);
  const disabled = !open || blockedReason !== null;
  return (
    <Tooltip label={hint} withArrow events={{ hover: true, focus: true, touch: true }}>
      {/* A disabled button receives no pointer events; the wrapper keeps the tooltip reachable. */}
      <span>
        <Button
          size="xs"
          color="green"
          disabled={disabled}
          loading={loading}
          onClick={onStart}
          aria-description={hint}
          data-disabled={disabled || undefined}
        >
          Start Video
        </Button>
      </span>
    </Tooltip>
  );
}
