import { Card, SimpleGrid, Text } from "@mantine/core";
import type { Usage } from "../api/get-usage.ts";

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card withBorder padding="sm" component="section" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={700} size="xl">
        {value}
      </Text>
    </Card>
  );
}

/** The month's numbers, exactly as the usage endpoint reports them. */
export function UsageSummary({ usage, extra }: { usage: Usage; extra?: { label: string; value: string }[] }) {
  const durations = usage.sessions.map((s) => s.duration_minutes);
  const average = durations.length === 0 ? 0 : durations.reduce((a, b) => a + b, 0) / durations.length;
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
      <Stat label="Consultations this month" value={String(usage.total_sessions)} />
      <Stat label="Total attendee-minutes" value={String(usage.total_attendee_minutes)} />
      <Stat
        // The list is paged: an average over part of the month says so.
        label={
          usage.sessions.length < usage.total_sessions
            ? "Average session duration (this page)"
            : "Average session duration"
        }
        value={`${Math.round(average * 10) / 10} min`}
      />
      {extra?.map((e) => (
        <Stat key={e.label} label={e.label} value={e.value} />
      ))}
    </SimpleGrid>
  );
}
