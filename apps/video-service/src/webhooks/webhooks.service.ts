import { randomBytes, randomUUID } from "node:crypto";
import type {
  CreateWebhookBody,
  CreateWebhookResponse,
  ListWebhookDeliveriesQuery,
  ListWebhookDeliveriesResponse,
  ListWebhooksResponse,
  WebhookDelivery,
  WebhookEventType,
} from "@clinic/contracts";
import type { Actor, SessionAccess } from "../sessions/session-access.ts";
import { iso, isoOrNull, json, type VideoDb } from "../tables.ts";
import { checkWebhookUrl, type UrlPolicy } from "./webhook-url.ts";
import {
  type DeliveryRow,
  deleteEndpoint,
  deliveryCounts,
  findEndpoint,
  insertEndpoint,
  listDeliveries,
  listEndpoints,
} from "./webhooks.repository.ts";

export interface WebhooksContext {
  db: VideoDb;
  access: SessionAccess;
  now: () => Date;
  urlPolicy: UrlPolicy;
}

/** `whsec_` + base64 of 32 random bytes: the key is the decoded bytes (Standard Webhooks). */
const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** POST /webhooks: the clinic admin registers an endpoint; the secret is in this answer only. */
export async function createWebhook(
  ctx: WebhooksContext,
  actor: Actor,
  body: CreateWebhookBody,
): Promise<CreateWebhookResponse> {
  await ctx.access.checkWebhook(actor, "create");
  const url = await checkWebhookUrl(body.url, ctx.urlPolicy);
  const row = {
    webhook_id: `whk-${randomUUID()}`,
    clinic_id: actor.user.clinic_id,
    url,
    events: body.events,
    secret: newSecret(),
    created_by: actor.user.id,
    created_at: ctx.now(),
    last_failure_at: null,
    last_failure_status_code: null,
    last_failure_error: null,
  };
  await insertEndpoint(ctx.db, row);
  return { id: row.webhook_id, url, events: body.events, secret: row.secret, created_at: iso(row.created_at) };
}

/** GET /webhooks: the clinic's endpoints (no secrets) with their delivery summary. */
export async function listWebhooks(ctx: WebhooksContext, actor: Actor): Promise<ListWebhooksResponse> {
  await ctx.access.checkWebhook(actor, "list");
  const endpoints = await listEndpoints(ctx.db, actor.user.clinic_id);
  const counts = await deliveryCounts(
    ctx.db,
    endpoints.map((e) => e.webhook_id),
  );
  const count = (id: string, status: DeliveryRow["status"]) =>
    Number(counts.find((c) => c.webhook_id === id && c.status === status)?.n ?? 0);
  return {
    webhooks: endpoints.map((e) => ({
      id: e.webhook_id,
      url: e.url,
      events: json<WebhookEventType[]>(e.events),
      created_at: iso(e.created_at),
      deliveries: {
        pending: count(e.webhook_id, "PENDING"),
        delivered: count(e.webhook_id, "DELIVERED"),
        failed: count(e.webhook_id, "FAILED"),
        last_failure_at: isoOrNull(e.last_failure_at),
        last_failure_status_code: e.last_failure_status_code,
        last_failure_error: e.last_failure_error,
      },
    })),
  };
}

/** DELETE /webhooks/{id}: the endpoint and its deliveries go; nothing pending is sent. */
export async function deleteWebhook(ctx: WebhooksContext, actor: Actor, webhookId: string): Promise<void> {
  await ctx.access.checkWebhook(actor, "delete", (await findEndpoint(ctx.db, webhookId)) ?? null);
  await deleteEndpoint(ctx.db, webhookId);
}

/** GET /webhooks/{id}/deliveries: newest first, what was tried and how it went (no payloads). */
export async function listWebhookDeliveries(
  ctx: WebhooksContext,
  actor: Actor,
  webhookId: string,
  query: ListWebhookDeliveriesQuery,
): Promise<ListWebhookDeliveriesResponse> {
  await ctx.access.checkWebhook(actor, "listDeliveries", (await findEndpoint(ctx.db, webhookId)) ?? null);
  const { rows, total } = await listDeliveries(ctx.db, webhookId, query);
  return { total, limit: query.limit, offset: query.offset, deliveries: rows.map(toDelivery) };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    message_id: row.message_id,
    event_type: row.event_type as WebhookEventType,
    status: row.status,
    attempts: Number(row.attempts),
    created_at: iso(row.created_at),
    next_attempt_at: row.status === "PENDING" ? isoOrNull(row.next_attempt_at) : null,
    last_attempt_at: isoOrNull(row.last_attempt_at),
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    delivered_at: isoOrNull(row.delivered_at),
    failed_at: isoOrNull(row.failed_at),
  };
}
