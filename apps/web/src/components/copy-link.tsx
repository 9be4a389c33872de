import { Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { formatDateTime } from "../lib/format.ts";

interface Props {
  /** The field's label, also the Copy button's ("Copy set-password link"). */
  label: string;
  url: string;
  expiresAt: string;
  /** What the link does, after its expiry ("It works once."). */
  note?: string;
}

/**
 * A one-time link (set-password, invite) with a Copy button and when it expires. The link is
 * only in this component's memory: the server stores its hash and cannot show it again.
 */
export function CopyLink({ label, url, expiresAt, note }: Props) {
  const [copied, setCopied] = useState<"copied" | "unavailable" | null>(null);
  const copy = async () => {
    // Missing outside a secure context (plain http) and in some browsers; refused without permission.
    if (!navigator.clipboard?.writeText) return setCopied("unavailable");
    try {
      await navigator.clipboard.writeText(url);
      setCopied("copied");
    } catch {
      setCopied("unavailable");
    }
  };
  return (
    <Stack gap="xs">
      <Group align="flex-end" wrap="nowrap" gap="xs">
        <TextInput
          label={label}
          readOnly
          value={url}
          onFocus={(e) => e.currentTarget.select()}
          style={{ flex: 1 }}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
        />
        <Button onClick={() => void copy()} aria-label={`Copy ${label.toLowerCase()}`}>
          Copy
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Valid until {formatDateTime(expiresAt)}.{note ? ` ${note}` : ""}
      </Text>
      {copied && (
        <Text size="sm" role="status">
          {copied === "copied"
            ? "Copied to the clipboard."
            : "Copying is not available in this browser: select the link above and copy it yourself (Ctrl+C, or ⌘C on a Mac)."}
        </Text>
      )}
    </Stack>
  );
}
