import { Button, Group, Modal, Text } from "@mantine/core";
import { useClientConfig } from "../../../lib/client-config.ts";
import { useLogout } from "../api/logout.ts";
import { formatCountdown, useIdleLogoff } from "./use-idle-logoff.ts";

/**
 * The automatic logoff of the signed-in area (mounted by the layout): a minute before the
 * clinic's idle limit (`idle_logoff_min`, GET /api/auth/client-config) a warning counts down with
 * "Stay signed in"; at zero the person is signed out and the login page says why.
 */
export function IdleLogoff() {
  const { idle_logoff_min } = useClientConfig();
  const idleLogout = useLogout("idle");
  const logout = useLogout();
  const { remainingMs, stay } = useIdleLogoff(idle_logoff_min * 60_000, () => idleLogout.mutate());
  return (
    <Modal
      opened={remainingMs !== null}
      onClose={stay}
      title="Are you still there?"
      centered
      closeOnClickOutside={false}
      withCloseButton={false}
      // At once, without an animation: it is a countdown.
      transitionProps={{ duration: 0 }}
    >
      <Text role="timer">You will be signed out in {formatCountdown(remainingMs ?? 0)} for inactivity.</Text>
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={() => logout.mutate()}>
          Sign out now
        </Button>
        <Button onClick={stay} data-autofocus>
          Stay signed in
        </Button>
      </Group>
    </Modal>
  );
}
