import { Group, RingProgress, Stack, Text } from "@mantine/core";
import type { Usage } from "../api/get-usage.ts";
import { freeTierLabel, usageColours, usageLabels } from "../usage-status.ts";

type Props = Pick<
  Usage,
  "usage_percentage" | "status" | "total_attendee_minutes" | "free_tier_limit" | "remaining_minutes"
>;

/** Free-tier gauge; the colour follows the server's status (the thresholds are the server's). */
export function UsageGauge({ usage }: { usage: Props }) {
  const colour = usageColours[usage.status];
  const pct = Math.round(usage.usage_percentage * 10) / 10;
  return (
    <Group wrap="nowrap" align="center">
      <RingProgress
        size={132}
        thickness={14}
        roundCaps={usage.usage_percentage > 0}
        aria-label={`Free tier usage ${pct}%`}
        role="meter"
        aria-valuenow={pct}
        aria-valuemin={0}
        aria-valuemax={100}
        sections={[{ value: Math.min(100, usage.usage_percentage), color: colour }]}
        label={
          <Text ta="center" fw={700} size="lg" aria-hidden>
            {Math.round(usage.usage_percentage * 100) / 100}%
          </Text>
        }
      />
      <Stack gap={4}>
        <Text fw={700} size="lg">
          {freeTierLabel(usage.usage_percentage)}
        </Text>
        <Text fw={700} c={`var(--mantine-color-${colour}-light-color)`} data-status={usage.status}>
          {usage.status}
        </Text>
        <Text size="sm">{usageLabels[usage.status]}</Text>
        <Text size="sm" c="dimmed">
          {Math.round(usage.total_attendee_minutes * 10) / 10} of {usage.free_tier_limit} attendee-minutes used,{" "}
          {Math.max(0, Math.round(usage.remaining_minutes * 10) / 10)} left
        </Text>
      </Stack>
    </Group>
  );
}
