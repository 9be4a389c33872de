import { Card, Stack, Text, Title } from "@mantine/core";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { AddWebhookForm } from "../../features/webhooks/components/add-webhook-form.tsx";
import { WebhookEndpoints } from "../../features/webhooks/components/webhook-endpoints.tsx";

/** Clinic admin: the endpoints the video service sends signed events to (video service README, "Webhooks"). */
export function AdminWebhooksRoute() {
  return (
    <Stack>
      <Title order={1}>Webhooks</Title>
      <Text size="sm" maw={760}>
        The clinic's other systems (an EHR, billing) can be told of each consultation as it happens: the video service
        sends a signed event to every endpoint listed here. Events carry ids and times only, never names or notes.
        Failed deliveries are retried for 24 hours.
      </Text>
      <ErrorBoundary region="webhook endpoints">
        <WebhookEndpoints />
      </ErrorBoundary>
      <Card withBorder component="section" aria-labelledby="add-webhook-endpoint">
        <Title order={2} size="h4" mb="sm" id="add-webhook-endpoint">
          Add an endpoint
        </Title>
        <ErrorBoundary region="new endpoint form">
          <AddWebhookForm />
        </ErrorBoundary>
      </Card>
    </Stack>
  );
}
