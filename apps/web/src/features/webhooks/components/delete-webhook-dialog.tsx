import { Alert, Button, Group, Modal, Text } from "@mantine/core";
import { describeError } from "../../../components/error-state.tsx";
import { useDeleteWebhook, type WebhookEndpoint } from "../api/webhooks.ts";

interface Props {
  webhook: WebhookEndpoint | null;
  onClose: () => void;
}

/** Asks before deleting an endpoint; open while `webhook` is set. */
export function DeleteWebhookDialog({ webhook, onClose }: Props) {
  const remove = useDeleteWebhook();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal opened={webhook !== null} onClose={close} title="Delete this webhook endpoint?" centered>
      {webhook && (
        <>
          <Text size="sm">
            <strong style={{ overflowWrap: "anywhere" }}>{webhook.url}</strong> will receive no more events: deliveries
            still waiting are dropped, and its delivery history is deleted. This cannot be undone.
          </Text>
          {remove.isError && (
            <Alert color="red" role="alert" title="The endpoint was not deleted" mt="md">
              {describeError(remove.error, "Webhook endpoint").message}
            </Alert>
          )}
          <Group justify="flex-end" mt="lg">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => remove.mutate(webhook.id, { onSuccess: close })}
            >
              Delete endpoint
            </Button>
          </Group>
        </>
      )}
    </Modal>
  );
}
