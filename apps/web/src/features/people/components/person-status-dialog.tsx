import { Alert, Button, Group, Modal, Text } from "@mantine/core";
import { describeError } from "../../../components/error-state.tsx";
import { isApiError } from "../../../lib/api-error.ts";
import { type DirectoryUser, useUpdateUser } from "../api/users.ts";

interface Props {
  /** The person to deactivate (when active) or reactivate (when not); open while set. */
  person: DirectoryUser | null;
  onClose: () => void;
}

/** Asks before deactivating (signed out everywhere at once, no sign-in) or reactivating a person. */
export function PersonStatusDialog({ person, onClose }: Props) {
  const update = useUpdateUser();
  const close = () => {
    update.reset();
    onClose();
  };
  const deactivating = person?.active ?? true;
  const title = person ? `${deactivating ? "Deactivate" : "Reactivate"} ${person.name}?` : "";
  return (
    <Modal opened={person !== null} onClose={close} title={title} centered>
      {person && (
        <>
          <Text size="sm">
            {deactivating
              ? "They are signed out on every device at once and can no longer sign in. Their appointments and records stay; you can reactivate them later."
              : "They can sign in again with their password (or a new set-password link if they have none)."}
          </Text>
          {update.isError && (
            <Alert color="red" role="alert" title="Nothing was changed" mt="md">
              {isApiError(update.error) && update.error.status === 409
                ? update.error.error
                : describeError(update.error, "Person").message}
            </Alert>
          )}
          <Group justify="flex-end" mt="lg">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color={deactivating ? "red" : undefined}
              loading={update.isPending}
              onClick={() => update.mutate({ id: person.id, changes: { active: !deactivating } }, { onSuccess: close })}
            >
              {deactivating ? "Deactivate" : "Reactivate"}
            </Button>
          </Group>
        </>
      )}
    </Modal>
  );
}
