import { Table, Text } from "@mantine/core";
import { formatDateTime } from "../../../lib/format.ts";
import type { UsageSession } from "../api/get-usage.ts";

export function UsageTable({ sessions }: { sessions: UsageSession[] }) {
  if (sessions.length === 0) return <Text c="dimmed">No video sessions in this month.</Text>;
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
