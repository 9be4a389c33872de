import { Alert, Button, Group, Loader, Stack, Text, Textarea } from "@mantine/core";
import { useState } from "react";
import { describeError, ErrorState } from "../../../components/error-state.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import { useConsentText, useUpdateConsentText } from "../api/consent.ts";

const minLength = 20;
const maxLength = 5000;
// Newline and tab are fine in a text; other control characters are refused by the server too.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const controlCharacters = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** The clinic's telehealth consent text: read the current version, publish a new one. */
export function ConsentTextEditor() {
  const current = useConsentText();
  const save = useUpdateConsentText();
  const [draft, setDraft] = useState<string | null>(null);
  if (current.isPending) return <Loader aria-label="Loading the consent text" />;
  if (current.isError)
    return <ErrorState error={current.error} subject="Consent text" onRetry={() => void current.refetch()} />;
  const text = draft ?? current.data.text;
  const problem =
    text.trim().length < minLength
      ? `Write at least ${minLength} characters.`
      : text.length > maxLength
        ? `Keep it within ${maxLength} characters.`
        : controlCharacters.test(text)
          ? "Remove the control characters (only line breaks and tabs are allowed)."
          : null;
  const changed = draft !== null && draft !== current.data.text;
  return (
    <Stack maw={760}>
      <Text size="sm">
        Patients read this text and answer it before their camera and microphone start; each answer records the version
        it was given to. Publishing a change creates a new version: answers already given keep theirs.
      </Text>
      <Text size="sm" c="dimmed">
        {current.data.version === 0
          ? "Version 0: the built-in default text (this clinic has not published its own yet)."
          : `Version ${current.data.version}, published ${formatDateTime(current.data.updated_at)}.`}
      </Text>
      <Textarea
        label="Consent text"
        autosize
        minRows={8}
        maxRows={24}
        value={text}
        onChange={(e) => {
          save.reset();
          setDraft(e.currentTarget.value);
        }}
        error={changed ? problem : null}
        description={`${text.length} / ${maxLength} characters`}
      />
      {save.isError && (
        <Alert color="red" role="alert" title="The consent text was not published">
          {describeError(save.error, "Consent text").message}
        </Alert>
      )}
      {save.isSuccess && !changed && (
        <Alert color="green" role="status">
          Published as version {save.data.version}.
        </Alert>
      )}
      <Group>
        <Button
          disabled={!changed || problem !== null}
          loading={save.isPending}
          onClick={() => save.mutate({ text }, { onSuccess: () => setDraft(null) })}
        >
          Publish new version
        </Button>
        <Button variant="default" disabled={!changed || save.isPending} onClick={() => setDraft(null)}>
          Discard changes
        </Button>
      </Group>
    </Stack>
  );
}
