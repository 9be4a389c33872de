import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { CopyLink } from "../../../components/copy-link.tsx";
import { describeError } from "../../../components/error-state.tsx";
import { isApiError } from "../../../lib/api-error.ts";
import { type DirectoryUser, useResetPasswordLink } from "../api/users.ts";

interface Props {
  person: DirectoryUser | null;
  onClose: () => void;
}

/** Creates a new set-password link for a person (admin-triggered reset) and shows it with Copy. */
export function PasswordLinkDialog({ person, onClose }: Props) {
  const reset = useResetPasswordLink();
  const close = () => {
    reset.reset();
    onClose();
  };
  return (
    <Modal
      opened={person !== null}
      onClose={close}
      title={person ? `Reset password link for ${person.name}` : ""}
      centered
      size="lg"
    >
      {person &&
        (reset.isSuccess ? (
          <Stack>
            <Text size="sm">Send this link to {person.name}; it is shown only now.</Text>
            <CopyLink
              label="Set-password link"
              url={reset.data.url}
              expiresAt={reset.data.expires_at}
              note="It works once."
            />
            <Group justify="flex-end">
              <Button onClick={close}>Done</Button>
            </Group>
          </Stack>
        ) : (
          <>
            <Text size="sm">
              A new link lets {person.name} choose a new password. Links given out earlier and not yet used stop
              working. Their current password keeps working until they set the new one.
            </Text>
            {reset.isError && (
              <Alert color="red" role="alert" title="No link was created" mt="md">
                {isApiError(reset.error) && reset.error.status === 409
                  ? reset.error.error
                  : describeError(reset.error, "Person").message}
              </Alert>
            )}
            <Group justify="flex-end" mt="lg">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button loading={reset.isPending} onClick={() => reset.mutate(person.id)}>
                Create link
              </Button>
            </Group>
          </>
        ))}
    </Modal>
  );
}
