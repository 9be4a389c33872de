import { Anchor, Button, Group, Loader, SegmentedControl, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { ErrorState } from "../../../components/error-state.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import { type SessionsQuery, useSessions } from "../api/get-sessions.ts";

type Status = NonNullable<SessionsQuery["status"]>;
const statuses: ("ALL" | Status)[] = ["ALL", "CREATED", "IN_PROGRESS", "COMPLETED", "CANCELLED"];
const PAGE = 20;

/** Sessions history (guide Test 4): every session with its status, filterable. */
export function SessionsHistory({ onOpen }: { onOpen: (sessionId: string) => void }) {
  const [status, setStatus] = useState<"ALL" | Status>("ALL");
  const [offset, setOffset] = useState(0);
  const query: SessionsQuery = { limit: PAGE, offset, sort: "start_time", ...(status === "ALL" ? {} : { status }) };
  const sessions = useSessions(query);

  return (
    <Stack>
      <SegmentedControl
        aria-label="Filter sessions by status"
        value={status}
        onChange={(v) => {
          setStatus(v as "ALL" | Status);
          setOffset(0);
        }}
        data={statuses.map((s) => ({ value: s, label: s === "ALL" ? "All" : s.replace("_", " ") }))}
      />
      {sessions.isPending && <Loader aria-label="Loading sessions" />}
      {sessions.isError && (
        <ErrorState error={sessions.error} subject="Sessions" onRetry={() => void sessions.refetch()} />
      )}
      {sessions.data && (
        <>
          <Table.ScrollContainer minWidth={560}>
            <Table striped highlightOnHover aria-label="Sessions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Patient</Table.Th>
                  <Table.Th>Start</Table.Th>
                  <Table.Th>End</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Session</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sessions.data.sessions.map((s) => (
                  <Table.Tr key={s.session_id}>
                    <Table.Td>{s.patient_name}</Table.Td>
                    <Table.Td>{formatDateTime(s.start_time)}</Table.Td>
                    <Table.Td>{formatDateTime(s.end_time)}</Table.Td>
                    <Table.Td>{s.status}</Table.Td>
                    <Table.Td>
                      <Anchor
                        component="button"
                        type="button"
                        onClick={() => onOpen(s.session_id)}
                        aria-label={`Open session with ${s.patient_name}`}
                      >
                        Open
                      </Anchor>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {sessions.data.sessions.length === 0 && <Text c="dimmed">No sessions.</Text>}
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {sessions.data.total === 0 ? "0" : `${offset + 1}–${offset + sessions.data.sessions.length}`} of{" "}
              {sessions.data.total}
            </Text>
            <Group gap="xs">
              <Button
                size="xs"
                variant="default"
                disabled={offset === 0}
                onClick={() => setOffset(Math.max(0, offset - PAGE))}
              >
                Previous
              </Button>
              <Button
                size="xs"
                variant="default"
                disabled={offset + PAGE >= sessions.data.total}
                onClick={() => setOffset(offset + PAGE)}
              >
                Next
              </Button>
            </Group>
          </Group>
        </>
      )}
    </Stack>
  );
}
