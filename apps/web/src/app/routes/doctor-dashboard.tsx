import { Alert, Badge, Card, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { ErrorState } from "../../components/error-state.tsx";
import { useAppointments } from "../../features/appointments/api/get-appointments.ts";
import { useUsage } from "../../features/usage/api/get-usage.ts";
import { DailyMinutesChart } from "../../features/usage/components/daily-minutes-chart.tsx";
import { UsageGauge } from "../../features/usage/components/usage-gauge.tsx";
import { UsageSummary } from "../../features/usage/components/usage-summary.tsx";
import { usageColours, usageLabels } from "../../features/usage/usage-status.ts";

const nextSevenDays = () => {
  const from = new Date();
  return { from: from.toISOString(), to: new Date(from.getTime() + 7 * 86_400_000).toISOString() };
};

/** Doctor sessions dashboard (guide §UI 4): the signed-in doctor's own consultations, not the clinic's. */
export function DoctorDashboardRoute() {
  const usage = useUsage();
  const [range] = useState(nextSevenDays);
  const upcoming = useAppointments({ ...range, status: ["SCHEDULED"], limit: 100, offset: 0 });
  const upcomingCount = upcoming.data ? String(upcoming.data.total) : upcoming.isError ? "—" : "…";
  return (
    <Stack>
      <Title order={1}>My sessions dashboard</Title>
      <Text size="sm" c="dimmed">
        Your own consultations only{usage.data ? `, ${usage.data.month} in ${usage.data.time_zone}` : ""}: the
        attendee-minutes of the video sessions you led, and their share of the clinic's free tier.
      </Text>
      {usage.isPending && <Loader aria-label="Loading usage" />}
      {usage.isError && <ErrorState error={usage.error} subject="Usage" onRetry={() => void usage.refetch()} />}
      {usage.data && (
        <>
          {usage.data.clinic_status !== "HEALTHY" && (
            // The free tier is the clinic's: calls stop for everyone when it is used up, whatever this doctor's share.
            <Alert
              color={usageColours[usage.data.clinic_status]}
              title="The clinic's free tier"
              role={usage.data.clinic_status === "EXCEEDED" ? "alert" : "status"}
            >
              <Group gap="xs">
                <Badge color={usageColours[usage.data.clinic_status]}>{usage.data.clinic_status}</Badge>
                <Text size="sm">{usageLabels[usage.data.clinic_status]} (the whole clinic's usage this month).</Text>
              </Group>
            </Alert>
          )}
          <ErrorBoundary region="usage numbers">
            <UsageSummary
              usage={usage.data}
              extra={[{ label: "Upcoming sessions (next 7 days)", value: upcomingCount }]}
            />
          </ErrorBoundary>
          <ErrorBoundary region="free tier gauge">
            <Card withBorder component="section" aria-label="Free tier usage">
              <Title order={2} size="h4" mb="sm">
                Your share of the clinic's free tier
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
