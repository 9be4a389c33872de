import { Button, Group, Loader, Modal, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { ErrorState } from "../../../components/error-state.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import { useWebhookDeliveries, type WebhookDelivery, type WebhookEndpoint } from "../api/webhooks.ts";
import { attemptResult, DeliveryStatusBadge } from "./delivery-status-badge.tsx";

const PAGE = 20;

/** When a delivery settled, or when it is tried next. */
function outcome(d: WebhookDelivery): string {
  if (d.status === "DELIVERED") return `Delivered ${formatDateTime(d.delivered_at)}`;
  if (d.status === "FAILED") return `Gave up ${formatDateTime(d.failed_at)}`;
  return `Next attempt ${formatDateTime(d.next_attempt_at)}`;
}

/** One endpoint's recent deliveries, newest first, 20 a page. */
function DeliveriesList({ webhookId }: { webhookId: string }) {
  const [offset, setOffset] = useState(0);
  const deliveries = useWebhookDeliveries(webhookId, { limit: PAGE, offset });
  if (deliveries.isPending) return <Loader aria-label="Loading deliveries" />;
  if (deliveries.isError)
    return <ErrorState error={deliveries.error} subject="Webhook endpoint" onRetry={() => void deliveries.refetch()} />;
  const page = deliveries.data;
  return (
    <Stack>
      <Table.ScrollContainer minWidth={720}>
        <Table striped aria-label="Deliveries">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last result</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last attempt</Table.Th>
              <Table.Th>Outcome</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {page.deliveries.map((d) => (
              <Table.Tr key={d.message_id}>
                <Table.Td>{d.event_type}</Table.Td>
                <Table.Td>
                  <DeliveryStatusBadge status={d.status} />
                </Table.Td>
                <Table.Td>{d.attempts}</Table.Td>
                <Table.Td>{attemptResult(d.last_status_code, d.last_error)}</Table.Td>
                <Table.Td>{formatDateTime(d.created_at)}</Table.Td>
                <Table.Td>{formatDateTime(d.last_attempt_at)}</Table.Td>
                <Table.Td>{outcome(d)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {page.deliveries.length === 0 && <Text c="dimmed">No deliveries yet.</Text>}
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {page.total === 0 ? "0" : `${offset + 1}–${offset + page.deliveries.length}`} of {page.total}
        </Text>
        <Group gap="xs">
          <Button
            size="xs"
            variant="default"
            disabled={offset === 0 || deliveries.isFetching}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            Previous
          </Button>
          <Button
            size="xs"
            variant="default"
            disabled={offset + PAGE >= page.total || deliveries.isFetching}
            onClick={() => setOffset(offset + PAGE)}
          >
            Next
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}

interface Props {
  webhook: WebhookEndpoint | null;
  onClose: () => void;
}

/** The Deliveries dialog of the endpoint list; open while `webhook` is set. */
export function WebhookDeliveriesDialog({ webhook, onClose }: Props) {
  return (
    <Modal opened={webhook !== null} onClose={onClose} title={`Deliveries to ${webhook?.url ?? ""}`} size="xl">
      {webhook && <DeliveriesList key={webhook.id} webhookId={webhook.id} />}
    </Modal>
  );
}
