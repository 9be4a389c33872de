import { Alert, Button, Stack, Text } from "@mantine/core";
import { Component, type ReactNode } from "react";

interface Props {
  /** Names the screen region in the fallback ("appointments", "video call" …). */
  region: string;
  children: ReactNode;
}

/**
 * One per screen region: a rendering bug in, say, the usage chart leaves the rest of the
 * dashboard usable. No details are shown: they could hold patient data.
 */
export class ErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <Alert color="red" title={`The ${this.props.region} could not be shown`} role="alert">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">Something went wrong while showing this part of the page.</Text>
          <Button size="xs" variant="light" onClick={() => this.setState({ failed: false })}>
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  }
}
