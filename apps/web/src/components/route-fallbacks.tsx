import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";

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
