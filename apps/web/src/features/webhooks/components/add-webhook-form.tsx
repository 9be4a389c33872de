import { Alert, Button, Checkbox, Group, Stack, TextInput } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useCreateWebhook, type WebhookEvent, webhookEvents } from "../api/webhooks.ts";
import { describeCreateError, isUrlRefusal } from "../webhook-url-error.ts";
import { SigningSecret } from "./signing-secret.tsx";

const allEvents = webhookEvents.map((e) => e.value);

/**
 * Registers an endpoint (URL + events). The answer's signing secret is shown once, in place of
 * the form, until the admin presses Done; nothing keeps it afterwards.
 */
export function AddWebhookForm() {
  const create = useCreateWebhook();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(allEvents);
  const [submitted, setSubmitted] = useState(false);

  if (create.isSuccess) return <SigningSecret created={create.data} onDone={() => create.reset()} />;

  const urlProblem = submitted && url.trim() === "" ? "Enter the endpoint's URL." : null;
  const eventsProblem = events.length === 0 ? "Choose at least one event." : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (url.trim() === "" || events.length === 0) return;
    create.mutate(
      // In the order the events are listed, not the order they were ticked.
      { url: url.trim(), events: allEvents.filter((event) => events.includes(event)) },
      {
        onSuccess: () => {
          setUrl("");
          setEvents(allEvents);
          setSubmitted(false);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={760}>
        <TextInput
          label="Endpoint URL"
          description="The receiving system's address, e.g. https://ehr.example.org/hooks/video"
          placeholder="https://"
          type="url"
          value={url}
          onChange={(e) => {
            if (create.isError) create.reset();
            setUrl(e.currentTarget.value);
          }}
          error={urlProblem ?? (create.isError && isUrlRefusal(create.error))}
        />
        <Checkbox.Group
          label="Events"
          description="Which changes are sent to this endpoint"
          value={events}
          onChange={(value) => setEvents(value as WebhookEvent[])}
          error={eventsProblem}
        >
          <Stack gap="xs" mt="xs">
            {webhookEvents.map((event) => (
              <Checkbox key={event.value} value={event.value} label={event.value} description={event.description} />
            ))}
          </Stack>
        </Checkbox.Group>
        {create.isError && (
          <Alert color="red" role="alert" title="The endpoint was not added">
            {describeCreateError(create.error)}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Add endpoint
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
