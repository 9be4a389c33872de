import { List, Text } from "@mantine/core";
import { detectBrowser, permissionGuidance } from "./browser-guidance.ts";

/** How to unblock the camera and microphone, step by step for the browser in use. */
export function PermissionHelp({ userAgent = navigator.userAgent }: { userAgent?: string }) {
  const guidance = permissionGuidance(detectBrowser(userAgent));
  return (
    <section aria-label="How to allow the camera and microphone">
      <Text size="sm" fw={600} mt="xs">
        To allow them in {guidance.browser}:
      </Text>
      <List type="ordered" size="sm" spacing={2}>
        {guidance.steps.map((step) => (
          <List.Item key={step}>{step}</List.Item>
        ))}
      </List>
    </section>
  );
}
