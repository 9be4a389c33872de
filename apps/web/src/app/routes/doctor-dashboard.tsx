import { Card, Loader, Stack, Title } from "@mantine/core";
import { useState } from "react";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { ErrorState } from "../../components/error-state.tsx";
import { useAppointments } from "../../features/appointments/api/get-appointments.ts";
import { useUsage } from "../../features/usage/api/get-usage.ts";
import { DailyMinutesChart } from "../../features/usage/components/daily-minutes-chart.tsx";
import { UsageGauge } from "../../features/usage/components/usage-gauge.tsx";
import { UsageSummary } from "../../features/usage/components/usage-summary.tsx";

const nextSevenDays = () => {
  const from = new Date();
  return { from: from.toISOString(), to: new Date(from.getTime() + 7 * 86_400_000).toISOString() };
};

/** Doctor sessions dashboard (guide §UI 4). */
export function DoctorDashboardRoute() {
  const usage = useUsage();
  const [range] = useState(nextSevenDays);
  const upcoming = useAppointments({ ...range, status: ["SCHEDULED"], limit: 100, offset: 0 });
  const upcomingCount = upcoming.data ? String(upcoming.data.total) : upcoming.isError ? "—" : "…";
  return (
    <Stack>
      <Title order={1}>Sessions Dashboard</Title>
      {usage.isPending && <Loader aria-label="Loading usage" />}
      {usage.isError && <ErrorState error={usage.error} subject="Usage" onRetry={() => void usage.refetch()} />}
      {usage.data && (
        <>
          <ErrorBoundary region="usage numbers">
            <UsageSummary
              usage={usage.data}
              extra={[{ label: "Upcoming sessions (next 7 days)", value: upcomingCount }]}
            />
          </ErrorBoundary>
          <ErrorBoundary region="free tier gauge">
            <Card withBorder component="section" aria-label="Free tier usage">
              <Title order={2} size="h4" mb="sm">
                Free tier usage
              </Title>
              <UsageGauge usage={usage.data} />
            </Card>
          </ErrorBoundary>
          <ErrorBoundary region="daily minutes chart">
            <Card withBorder component="section" aria-label="Daily minutes">
              <Title order={2} size="h4" mb="sm">
                Daily attendee-minutes
              </Title>
              <DailyMinutesChart usage={usage.data} />
            </Card>
          </ErrorBoundary>
        </>
      )}
    </Stack>
  );
}
