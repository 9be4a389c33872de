import { Button, Group, Modal, Text } from "@mantine/core";
import { useEffect } from "react";
import { useBlocker } from "react-router";
import { authTokens } from "../../../lib/auth-tokens.ts";

interface Props {
  /** Ask before an in-app navigation away (react-router's blocker). */
  block: boolean;
  /** Ask before the page unloads (reload, tab closed): the browser's own prompt. */
  warnOnUnload: boolean;
  /** Paths that carry the notes with them (the call's own notes panel). */
  allow?: (pathname: string) => boolean;
  message: string;
  /** The doctor chose to leave anyway. */
  onLeave?: () => void;
}

/** "Leaving with unsaved changes asks first" (issue 16), for the notes panels. */
export function LeaveGuard({ block, warnOnUnload, allow, message, onLeave }: Props) {
  useEffect(() => {
    if (!warnOnUnload) return;
    const ask = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [warnOnUnload]);

  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      block &&
      // Signed out (logout, sign-in expired): the way to the login page stays open.
      authTokens.get() !== null &&
      currentLocation.pathname !== nextLocation.pathname &&
      !(allow?.(nextLocation.pathname) ?? false),
  );
  const stay = () => blocker.reset?.();
  const leave = () => {
    onLeave?.();
    blocker.proceed?.();
  };

  return (
    <Modal opened={blocker.state === "blocked"} onClose={stay} title="Leave without saving the notes?" centered>
      <Text size="sm">{message}</Text>
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={stay}>
          Keep editing
        </Button>
        <Button color="red" onClick={leave}>
          Leave anyway
        </Button>
      </Group>
    </Modal>
  );
}
