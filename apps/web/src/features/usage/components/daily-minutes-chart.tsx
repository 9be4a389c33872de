import "@mantine/charts/styles.css";
import { CompositeChart } from "@mantine/charts";
import { Alert, Text } from "@mantine/core";
import type { Usage } from "../api/get-usage.ts";
import { forecastWarning, projectionSeries } from "../usage-projection.ts";

type Props = {
  usage: Pick<
    Usage,
    | "month"
    | "daily"
    | "status"
    | "total_attendee_minutes"
    | "forecast_minutes"
    | "forecast_status"
    | "forecast_exceeds_on"
    | "free_tier_limit"
  > &
    Partial<Pick<Usage, "time_zone">>;
  now?: Date;
};

/** Attendee-minutes per day (bars) and the projection to month end (dashed line). */
export function DailyMinutesChart({ usage, now = new Date() }: Props) {
  const data = projectionSeries(usage, now);
  const projecting = data.some((d) => d.projected !== null);
  const warning = forecastWarning(usage);
  return (
    <>
      {warning && (
        <Alert color="yellow" title="Free tier forecast" role="status" mb="sm">
          {warning}
        </Alert>
      )}
      <figure aria-label={`Attendee-minutes per day in ${usage.month}`} style={{ margin: 0 }}>
        <CompositeChart
          h={220}
          data={data}
          dataKey="day"
          series={[
            { name: "minutes", label: "Attendee-minutes", color: "teal.6", type: "bar" },
            ...(projecting
              ? [
                  {
                    name: "projected",
                    label: "Projected a day",
                    color: "orange.7",
                    type: "line" as const,
                    strokeDasharray: "5 5",
                  },
                ]
              : []),
          ]}
          tickLine="y"
          withTooltip
          withLegend={projecting}
          connectNulls={false}
        />
        <Text component="figcaption" size="xs" c="dimmed">
          Attendee-minutes per day ({usage.time_zone ?? "UTC"}), {usage.month}:{" "}
          {Math.round(usage.total_attendee_minutes * 10) / 10} in total
          {projecting
            ? `; about ${Math.round(usage.forecast_minutes)} projected by month end (${usage.forecast_status.toLowerCase()}).`
            : "."}
        </Text>
      </figure>
    </>
  );
}
