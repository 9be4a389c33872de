import { Badge, Button, Group, Loader, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { ErrorState } from "../../../components/error-state.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import { useWebhooks, type WebhookEndpoint } from "../api/webhooks.ts";
import { DeleteWebhookDialog } from "./delete-webhook-dialog.tsx";
import { attemptResult } from "./delivery-status-badge.tsx";
import { WebhookDeliveriesDialog } from "./webhook-deliveries.tsx";

/** Failed deliveries stand out; the most recent failed attempt is shown even when a retry later succeeded. */
function FailedCell({ deliveries }: { deliveries: WebhookEndpoint["deliveries"] }) {
  return (
    <Stack gap={2} align="flex-start">
      {deliveries.failed > 0 ? (
        <Badge variant="light" color="red">
          {deliveries.failed} failed
        </Badge>
      ) : (
        <Text size="sm">0</Text>
      )}
      {deliveries.last_failure_at && (
        <Text size="xs" c={deliveries.failed > 0 ? "red.9" : "dimmed"}>
          Last failure {formatDateTime(deliveries.last_failure_at)}:{" "}
          {attemptResult(deliveries.last_failure_status_code, deliveries.last_failure_error)}
        </Text>
      )}
    </Stack>
  );
}

/** The clinic's webhook endpoints with their delivery counts; Deliveries and Delete per endpoint. */
export function WebhookEndpoints() {
  const webhooks = useWebhooks();
  const [deliveriesOf, setDeliveriesOf] = useState<WebhookEndpoint | null>(null);
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);

  if (webhooks.isPending) return <Loader aria-label="Loading webhook endpoints" />;
  if (webhooks.isError)
    return <ErrorState error={webhooks.error} subject="Webhook endpoints" onRetry={() => void webhooks.refetch()} />;
  const endpoints = webhooks.data.webhooks;
  if (endpoints.length === 0)
    return <Text c="dimmed">No webhook endpoints yet. Add one below to have events sent to another system.</Text>;
  return (
    <>
      <Table.ScrollContainer minWidth={900}>
        <Table striped aria-label="Webhook endpoints">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>URL</Table.Th>
              <Table.Th>Events</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Delivered</Table.Th>
              <Table.Th>Pending</Table.Th>
              <Table.Th>Failed</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {endpoints.map((w) => (
              <Table.Tr key={w.id}>
                <Table.Td style={{ overflowWrap: "anywhere" }}>{w.url}</Table.Td>
                <Table.Td>
                  <Stack gap={0}>
                    {w.events.map((event) => (
                      <Text key={event} size="sm">
                        {event}
                      </Text>
                    ))}
                  </Stack>
                </Table.Td>
                <Table.Td>{formatDateTime(w.created_at)}</Table.Td>
                <Table.Td>{w.deliveries.delivered}</Table.Td>
                <Table.Td>{w.deliveries.pending}</Table.Td>
                <Table.Td>
                  <FailedCell deliveries={w.deliveries} />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`Deliveries for ${w.url}`}
                      onClick={() => setDeliveriesOf(w)}
                    >
                      Deliveries
                    </Button>
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      aria-label={`Delete ${w.url}`}
                      onClick={() => setDeleting(w)}
                    >
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <WebhookDeliveriesDialog webhook={deliveriesOf} onClose={() => setDeliveriesOf(null)} />
      <DeleteWebhookDialog webhook={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
