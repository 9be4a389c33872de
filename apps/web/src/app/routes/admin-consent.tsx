import { Stack, Title } from "@mantine/core";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { ConsentTextEditor } from "../../features/consent/components/consent-text-editor.tsx";

export function AdminConsentRoute() {
  return (
    <Stack>
      <Title order={1}>Telehealth consent</Title>
      <ErrorBoundary region="consent text">
        <ConsentTextEditor />
      </ErrorBoundary>
    </Stack>
  );
}
