import { Card, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { ErrorState } from "../../components/error-state.tsx";
import { useUsage } from "../../features/usage/api/get-usage.ts";
import { DailyMinutesChart } from "../../features/usage/components/daily-minutes-chart.tsx";
import { MonthSelect } from "../../features/usage/components/month-select.tsx";
import { UsageGauge } from "../../features/usage/components/usage-gauge.tsx";
import { UsageSummary } from "../../features/usage/components/usage-summary.tsx";
import { UsageTable } from "../../features/usage/components/usage-table.tsx";
import { currentMonth } from "../../lib/format.ts";

/** Admin usage page: the clinic's usage for a chosen month (guide Test 5). */
export function AdminUsageRoute() {
  const [month, setMonth] = useState(() => currentMonth());
  const [page, setPage] = useState(1);
  const usage = useUsage(month, page);
  const chooseMonth = (next: string) => {
    setMonth(next);
    setPage(1);
  };
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Clinic usage metrics</Title>
        <MonthSelect value={month} onChange={chooseMonth} />
      </Group>
      <Text size="sm" c="dimmed">
        The whole clinic: every doctor's video sessions
        {usage.data ? `, ${usage.data.month} in ${usage.data.time_zone}` : ""}.
      </Text>
      {usage.isPending && <Loader aria-label="Loading usage" />}
      {usage.isError && <ErrorState error={usage.error} subject="Usage" onRetry={() => void usage.refetch()} />}
      {usage.data && (
        <ErrorBoundary region="usage">
          <UsageSummary usage={usage.data} />
          <Card withBorder component="section" aria-label="Free tier usage">
            <UsageGauge usage={usage.data} />
          </Card>
          <Card withBorder component="section" aria-label="Daily minutes">
            <DailyMinutesChart usage={usage.data} />
          </Card>
          <Card withBorder component="section" aria-label="Sessions">
            <Title order={2} size="h4" mb="sm">
              Sessions
            </Title>
            <UsageTable
              sessions={usage.data.sessions}
              total={usage.data.total_sessions}
              page={page}
              onPageChange={setPage}
            />
          </Card>
        </ErrorBoundary>
      )}
    </Stack>
  );
}
