import { Group, Pagination, Stack, Table, Text } from "@mantine/core";
import { formatDateTime } from "../../../lib/format.ts";
import { USAGE_PAGE_SIZE, type UsageSession } from "../api/get-usage.ts";

/**
 * One page of the month's sessions (newest start first), with Mantine pagination over
 * `total` sessions when there is more than one page.
 */
export function UsageTable({
  sessions,
  total = sessions.length,
  page = 1,
  onPageChange,
}: {
  sessions: UsageSession[];
  total?: number;
  page?: number;
  onPageChange?: (page: number) => void;
}) {
  if (total === 0) return <Text c="dimmed">No video sessions in this month.</Text>;
  const pages = Math.max(1, Math.ceil(total / USAGE_PAGE_SIZE));
  const first = (page - 1) * USAGE_PAGE_SIZE + 1;
  return (
    <Stack gap="sm">
      <UsageRows sessions={sessions} />
      {pages > 1 && onPageChange && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            Sessions {Math.min(first, total)}–{Math.min(first + sessions.length - 1, total)} of {total}
          </Text>
          <Pagination total={pages} value={page} onChange={onPageChange} aria-label="Session pages" />
        </Group>
      )}
    </Stack>
  );
}

function UsageRows({ sessions }: { sessions: UsageSession[] }) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped aria-label="Sessions this month">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Patient</Table.Th>
            <Table.Th>Start</Table.Th>
            <Table.Th>Duration (min)</Table.Th>
            <Table.Th>Attendees</Table.Th>
            <Table.Th>Attendee-minutes</Table.Th>
            <Table.Th>Session ID</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sessions.map((s) => (
            <Table.Tr key={s.session_id}>
              <Table.Td>{s.patient_name}</Table.Td>
              <Table.Td>{formatDateTime(s.start_time)}</Table.Td>
              <Table.Td>{s.duration_minutes}</Table.Td>
              <Table.Td>{s.attendees}</Table.Td>
              <Table.Td>{s.attendee_minutes}</Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {s.session_id}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
