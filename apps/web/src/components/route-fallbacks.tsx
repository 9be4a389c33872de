import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { Component, type ReactNode } from "react";

/** Shown while a screen's code is being fetched (each screen is its own chunk). */
export function PageLoading() {
  return (
    <Center mih="50vh">
      <Loader aria-label="Loading the page" />
    </Center>
  );
}

/**
 * A screen whose code could not be fetched (a weak or lost connection, or a new version
 * deployed since this page was opened) or failed outside every region's boundary. Reloading
 * fetches the current version; no details are shown: they could hold patient data.
 */
export function RouteLoadError() {
  return (
    <Alert color="red" title="This page could not be loaded" role="alert" m="md">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">Check your internet connection, then reload the page.</Text>
        <Button size="xs" variant="light" onClick={() => window.location.reload()}>
          Reload
        </Button>
      </Stack>
    </Alert>
  );
}

/**
 * Around a screen loaded with React.lazy: a chunk that failed to load stays failed until the
 * page reloads, so this offers Reload (not "Try again"). The screen's own error boundaries
 * catch its rendering errors first.
 */
export class LoadErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override render() {
    return this.state.failed ? <RouteLoadError /> : this.props.children;
  }
}
