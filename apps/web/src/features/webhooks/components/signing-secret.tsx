import { Button, Group, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import type { CreatedWebhook } from "../api/webhooks.ts";

interface Props {
  created: CreatedWebhook;
  /** Hides the secret for good: the server never returns it again. */
  onDone: () => void;
}

/** The new endpoint's signing secret, shown once right after it is registered. */
export function SigningSecret({ created, onDone }: Props) {
  const [copied, setCopied] = useState<"copied" | "unavailable" | null>(null);

  const copy = async () => {
    // Missing outside a secure context (plain http) and in some browsers; refused without permission.
    if (!navigator.clipboard?.writeText) return setCopied("unavailable");
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied("copied");
    } catch {
      setCopied("unavailable");
    }
  };

  return (
    <Paper withBorder p="md" component="section" aria-label="Signing secret" bg="yellow.0">
      <Stack gap="sm">
        <Title order={3} size="h5">
          Copy this signing secret now: it will not be shown again
        </Title>
        <Text size="sm">
          The endpoint <strong>{created.url}</strong> was added. Every delivery to it is signed with this secret
          (Standard Webhooks); the receiving system needs it to check that a delivery really comes from the clinic. To
          replace the secret later, add a new endpoint and delete this one.
        </Text>
        <TextInput
          label="Signing secret"
          readOnly
          value={created.secret}
          onFocus={(e) => e.currentTarget.select()}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
        />
        {copied && (
          <Text size="sm" role="status">
            {copied === "copied"
              ? "Copied to the clipboard."
              : "Copying is not available in this browser: select the secret above and copy it yourself (Ctrl+C, or ⌘C on a Mac)."}
          </Text>
        )}
        <Group>
          <Button onClick={() => void copy()}>Copy secret</Button>
          <Button variant="default" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
