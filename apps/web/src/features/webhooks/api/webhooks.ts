import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/video.gen.ts";
import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

export type WebhookEndpoint =
  operations["listWebhooks"]["responses"][200]["content"]["application/json"]["webhooks"][number];
export type NewWebhook = operations["createWebhook"]["requestBody"]["content"]["application/json"];
export type WebhookEvent = NewWebhook["events"][number];
/** The answer to a registration: the only place the signing secret ever appears. */
export type CreatedWebhook = operations["createWebhook"]["responses"][201]["content"]["application/json"];
export type DeliveriesQuery = operations["listWebhookDeliveries"]["parameters"]["query"];
export type DeliveriesPage = operations["listWebhookDeliveries"]["responses"][200]["content"]["application/json"];
export type WebhookDelivery = DeliveriesPage["deliveries"][number];

/** The events an endpoint can subscribe to (video service README, "Events and payloads"). */
export const webhookEvents: readonly { value: WebhookEvent; description: string }[] = [
  { value: "session.started", description: "the doctor starts a video session" },
  { value: "session.ended", description: "a session ends (by the doctor, or idle)" },
  { value: "session.notes_updated", description: "the consultation notes or rating are saved after the end" },
  {
    value: "usage.threshold_crossed",
    description: "the clinic's monthly usage reaches 50 % or 80 % of the free tier, or goes over it",
  },
];

export const webhooksQueryOptions = () =>
  queryOptions({
    queryKey: ["webhooks", "list"],
    queryFn: () => unwrap(videoClient.GET("/api/video/webhooks")),
  });

export const useWebhooks = () => useQuery(webhooksQueryOptions());

export const webhookDeliveriesQueryOptions = (webhookId: string, query: DeliveriesQuery) =>
  queryOptions({
    queryKey: ["webhooks", "deliveries", webhookId, query],
    queryFn: () =>
      unwrap(
        videoClient.GET("/api/video/webhooks/{webhook_id}/deliveries", {
          params: { path: { webhook_id: webhookId }, query },
        }),
      ),
    // Paging keeps the current rows on screen until the next page arrives.
    placeholderData: keepPreviousData,
  });

export const useWebhookDeliveries = (webhookId: string, query: DeliveriesQuery) =>
  useQuery(webhookDeliveriesQueryOptions(webhookId, query));

/** Registers an endpoint; the list is read again so it shows the new one. */
export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewWebhook) => unwrap(videoClient.POST("/api/video/webhooks", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhooksQueryOptions().queryKey }),
  });
}

/** Deletes an endpoint (and its deliveries); the list is read again either way (a 404 means it is gone already). */
export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (webhookId: string) =>
      unwrap(videoClient.DELETE("/api/video/webhooks/{webhook_id}", { params: { path: { webhook_id: webhookId } } })),
    onSettled: async (_data, _error, webhookId) => {
      queryClient.removeQueries({ queryKey: ["webhooks", "deliveries", webhookId] });
      await queryClient.invalidateQueries({ queryKey: webhooksQueryOptions().queryKey });
    },
  });
}
