import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { CopyLink } from "../../../components/copy-link.tsx";
import { describeError } from "../../../components/error-state.tsx";
import { isApiError } from "../../../lib/api-error.ts";
import { formatDateTime } from "../../../lib/format.ts";
import type { Appointment } from "../api/get-appointments.ts";
import { useCreateInvite, useRevokeInvites } from "../api/manage-appointments.ts";

interface Props {
  appointment: Appointment | null;
  zone: string;
  onClose: () => void;
}

const problem = (error: unknown) =>
  isApiError(error) && [400, 409].includes(error.status) ? error.error : describeError(error, "Appointment").message;

/**
 * An invite link for the appointment's patient: opens this one consultation without an
 * account. Created on request and shown with Copy (the server keeps only its hash, so it
 * cannot be shown again: a new one can be made); Revoke stops every link of the appointment.
 */
export function InviteLinkDialog({ appointment, zone, onClose }: Props) {
  const create = useCreateInvite();
  const revoke = useRevokeInvites();
  const close = () => {
    create.reset();
    revoke.reset();
    onClose();
  };
  return (
    <Modal
      opened={appointment !== null}
      onClose={close}
      title={appointment ? `Invite link for ${appointment.patient_name}` : "Invite link"}
      centered
      size="lg"
    >
      {appointment && (
        <Stack>
          <Text size="sm">
            The link opens the video consultation of {formatDateTime(appointment.start_time, zone)} on the patient's
            phone or computer, without an account or password. Anyone who has it can join this consultation until it
            expires, so send it to the patient only.
          </Text>
          {create.isSuccess && !revoke.isSuccess && (
            <CopyLink label="Invite link" url={create.data.url} expiresAt={create.data.expires_at} />
          )}
          {revoke.isSuccess && (
            <Text size="sm" role="status">
              Every invite link of this appointment was revoked; links already sent no longer open it.
            </Text>
          )}
          {create.isError && (
            <Alert color="red" role="alert" title="No invite link was created">
              {problem(create.error)}
            </Alert>
          )}
          {revoke.isError && (
            <Alert color="red" role="alert" title="The invite links were not revoked">
              {problem(revoke.error)}
            </Alert>
          )}
          <Group justify="space-between">
            <Button
              variant="light"
              color="red"
              loading={revoke.isPending}
              onClick={() => revoke.mutate(appointment.id)}
            >
              Revoke invite links
            </Button>
            <Group gap="xs">
              <Button
                variant={create.isSuccess && !revoke.isSuccess ? "default" : "filled"}
                loading={create.isPending}
                onClick={() => {
                  revoke.reset();
                  create.mutate(appointment.id);
                }}
              >
                {create.isSuccess && !revoke.isSuccess ? "Create another link" : "Create invite link"}
              </Button>
              <Button variant="default" onClick={close}>
                Done
              </Button>
            </Group>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
