import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import { Text } from "@mantine/core";
import type { UsageSession } from "../api/get-usage.ts";
import { dailyMinutes } from "../daily-minutes.ts";

export function DailyMinutesChart({ month, sessions }: { month: string; sessions: UsageSession[] }) {
  const data = dailyMinutes(month, sessions);
  const total = data.reduce((sum, d) => sum + d.minutes, 0);
  return (
    <figure aria-label={`Attendee-minutes per day in ${month}`} style={{ margin: 0 }}>
      <BarChart
        h={220}
        data={data}
        dataKey="day"
        series={[{ name: "minutes", label: "Attendee-minutes", color: "teal.6" }]}
        tickLine="y"
        withTooltip
      />
      <Text component="figcaption" size="xs" c="dimmed">
        Attendee-minutes per day, {month}: {Math.round(total * 10) / 10} in total.
      </Text>
    </figure>
  );
}
