import {
  CreateWebhookBody,
  CreateWebhookResponse,
  errorResponses,
  ListWebhookDeliveriesQuery,
  ListWebhookDeliveriesResponse,
  ListWebhooksResponse,
  WebhookIdParams,
} from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Actor } from "../sessions/session-access.ts";
import {
  createWebhook,
  deleteWebhook,
  listWebhookDeliveries,
  listWebhooks,
  type WebhooksContext,
} from "./webhooks.service.ts";

const tags = ["webhooks"];
const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });

/** The clinic admin's webhook endpoints (README "Webhooks"); each handler makes one service call. */
export function webhooksRoutes(ctx: WebhooksContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);

    app.post(
      "/webhooks",
      {
        schema: {
          operationId: "createWebhook",
          tags,
          summary: "Register a webhook endpoint (clinic admin); the signing secret is shown in this answer only",
          body: CreateWebhookBody,
          response: { 201: CreateWebhookResponse, ...errorResponses(400, 401, 403) },
        },
      },
      async (request, reply) => reply.status(201).send(await createWebhook(ctx, actorOf(request), request.body)),
    );

    app.get(
      "/webhooks",
      {
        schema: {
          operationId: "listWebhooks",
          tags,
          summary: "The clinic's webhook endpoints with their delivery summary (clinic admin; no secrets)",
          response: { 200: ListWebhooksResponse, ...errorResponses(401, 403) },
        },
      },
      async (request) => listWebhooks(ctx, actorOf(request)),
    );

    app.get(
      "/webhooks/:webhook_id/deliveries",
      {
        schema: {
          operationId: "listWebhookDeliveries",
          tags,
          summary: "Deliveries of one endpoint, newest first: status, attempts, next attempt, last error",
          params: WebhookIdParams,
          querystring: ListWebhookDeliveriesQuery,
          response: { 200: ListWebhookDeliveriesResponse, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => listWebhookDeliveries(ctx, actorOf(request), request.params.webhook_id, request.query),
    );

    app.delete(
      "/webhooks/:webhook_id",
      {
        schema: {
          operationId: "deleteWebhook",
          tags,
          summary: "Remove a webhook endpoint; its pending deliveries are not sent",
          params: WebhookIdParams,
          response: { 204: Type.Null({ description: "Removed" }), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await deleteWebhook(ctx, actorOf(request), request.params.webhook_id);
        return reply.status(204).send(null);
      },
    );
  };
}
