import { Alert, Button, Group, Modal, Text } from "@mantine/core";
import { describeError } from "../../../components/error-state.tsx";
import { isApiError } from "../../../lib/api-error.ts";
import { formatDateTime } from "../../../lib/format.ts";
import type { Appointment } from "../api/get-appointments.ts";
import { useCancelAppointment } from "../api/manage-appointments.ts";

interface Props {
  appointment: Appointment | null;
  zone: string;
  onClose: () => void;
}

/** Asks before cancelling a scheduled appointment. */
export function CancelAppointmentDialog({ appointment, zone, onClose }: Props) {
  const cancel = useCancelAppointment();
  const close = () => {
    cancel.reset();
    onClose();
  };
  return (
    <Modal opened={appointment !== null} onClose={close} title="Cancel this appointment?" centered>
      {appointment && (
        <>
          <Text size="sm">
            {appointment.patient_name} with {appointment.doctor_name}, {formatDateTime(appointment.start_time, zone)}.
            Invite links sent for it stop working. This cannot be undone.
          </Text>
          {cancel.isError && (
            <Alert color="red" role="alert" title="The appointment was not cancelled" mt="md">
              {isApiError(cancel.error) && cancel.error.status === 409
                ? cancel.error.error
                : describeError(cancel.error, "Appointment").message}
            </Alert>
          )}
          <Group justify="flex-end" mt="lg">
            <Button variant="default" onClick={close}>
              Keep appointment
            </Button>
            <Button
              color="red"
              loading={cancel.isPending}
              onClick={() => cancel.mutate(appointment.id, { onSuccess: close })}
            >
              Cancel appointment
            </Button>
          </Group>
        </>
      )}
    </Modal>
  );
}
