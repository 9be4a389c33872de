import type { WebhookDelivery, WebhookEndpoint } from "./api/webhooks.ts";

/** Shared by the webhook tests: the video service's answers, as its README shows them. */
export const admin = {
  id: "adm-1",
  role: "ADMIN" as const,
  name: "Ad Min",
  email: "admin@demo.clinic",
  clinic_id: "clinic-1",
};

export const webhooksPath = "/video/api/video/webhooks";
export const webhookId = "whk-01cf5359-3fc1-4742-a53a-8a02ba656996";
export const ehrUrl = "https://ehr.example.org/hooks/video";

export const endpoint = (overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id: webhookId,
  url: ehrUrl,
  events: ["session.started", "session.ended", "session.notes_updated", "usage.threshold_crossed"],
  created_at: "2026-01-25T14:00:00.000Z",
  deliveries: {
    pending: 0,
    delivered: 3,
    failed: 0,
    last_failure_at: null,
    last_failure_status_code: null,
    last_failure_error: null,
  },
  ...overrides,
});

export const delivery = (n: number, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  message_id: `msg_${n}`,
  event_type: "session.started",
  status: "DELIVERED",
  attempts: 1,
  created_at: "2026-01-25T14:00:00.000Z",
  next_attempt_at: null,
  last_attempt_at: "2026-01-25T14:00:05.000Z",
  last_status_code: 200,
  last_error: null,
  delivered_at: "2026-01-25T14:00:05.000Z",
  failed_at: null,
  ...overrides,
});

export const listed = (...webhooks: WebhookEndpoint[]) => ({ status: 200, body: { webhooks } });
