import { Alert, Button, Group, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { ApiError } from "../lib/api-error.ts";

interface Props {
  error: unknown;
  /** What was being loaded, for the 404 sentence ("Appointment", "Session"). */
  subject?: string;
  onRetry?: () => void;
  /** e.g. a "Back to appointments" button for 404s. */
  action?: ReactNode;
}

/** The guide's Error Handling cases, each as a screen state a person can act on. */
export function describeError(error: unknown, subject = "Page"): { title: string; message: string } {
  if (!(error instanceof ApiError)) {
    return { title: "Something went wrong", message: "An unexpected error occurred. Please try again." };
  }
  switch (error.status) {
    case 0:
      return { title: "Connection problem", message: error.error };
    case 403:
      return { title: "Not authorized", message: "You are not authorized to access this appointment" };
    case 404:
      return { title: `${subject} not found`, message: `${subject} not found. It may have been removed.` };
    case 429:
      if (error.code === "FREE_TIER_EXCEEDED") {
        return { title: "Free tier exceeded", message: "Free Tier limit exceeded. Video consultations disabled." };
      }
      return { title: "Too many requests", message: error.error };
    case 502:
    case 503:
    case 504:
      return {
        title: "Service temporarily unavailable",
        message: "The service is temporarily unavailable. Please try again in a moment.",
      };
    default:
      return { title: "Something went wrong", message: error.error };
  }
}

export function ErrorState({ error, subject, onRetry, action }: Props) {
  const { title, message } = describeError(error, subject);
  return (
    <Alert color={error instanceof ApiError && error.status === 404 ? "yellow" : "red"} title={title} role="alert">
      <Text size="sm">{message}</Text>
      {(onRetry || action) && (
        <Group mt="sm" gap="xs">
          {onRetry && (
            <Button size="xs" variant="light" onClick={onRetry}>
              Retry
            </Button>
          )}
          {action}
        </Group>
      )}
    </Alert>
  );
}
