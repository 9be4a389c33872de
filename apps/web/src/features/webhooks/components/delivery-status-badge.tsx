import { Badge } from "@mantine/core";
import type { WebhookDelivery } from "../api/webhooks.ts";

const colours: Record<WebhookDelivery["status"], string> = { PENDING: "yellow", DELIVERED: "green", FAILED: "red" };

export function DeliveryStatusBadge({ status }: { status: WebhookDelivery["status"] }) {
  return (
    <Badge variant="light" color={colours[status]}>
      {status}
    </Badge>
  );
}

/** A receiver's answer in words: "HTTP 500", or the sender's error ("timeout after 10000 ms"). */
export const attemptResult = (statusCode: number | null, error: string | null) =>
  statusCode !== null ? `HTTP ${statusCode}` : (error ?? "—");
