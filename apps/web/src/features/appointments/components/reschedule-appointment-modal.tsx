import { Alert, Button, Group, Modal, NumberInput, Stack, Text } from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import { formatDateTime, isoToZonedWallClock, zonedWallClockToIso } from "../../../lib/format.ts";
import type { Appointment } from "../api/get-appointments.ts";
import { useRescheduleAppointment } from "../api/manage-appointments.ts";
import { maxDuration, minDuration, whenProblems } from "../booking-rules.ts";
import { serverProblem } from "./booking-form.tsx";
import { ZonedDateTimeField } from "./zoned-date-time-field.tsx";

interface Props {
  appointment: Appointment | null;
  zone: string;
  onClose: () => void;
  now?: () => Date;
}

/** Moves a scheduled appointment (same doctor and patient) to another time and/or duration. */
export function RescheduleAppointmentModal({ appointment, zone, onClose, now = () => new Date() }: Props) {
  const reschedule = useRescheduleAppointment();
  const [start, setStart] = useState<string | null>(null);
  const [duration, setDuration] = useState<number | string>(30);
  const [submitted, setSubmitted] = useState(false);
  useEffect(() => {
    if (!appointment) return;
    setStart(isoToZonedWallClock(appointment.start_time, zone));
    setDuration(appointment.duration_minutes);
    setSubmitted(false);
  }, [appointment, zone]);
  const close = () => {
    reschedule.reset();
    onClose();
  };
  const local = whenProblems({ start, durationMinutes: duration }, zone, now());
  const shown: { start?: string; duration?: string } = submitted ? { ...local } : {};
  const refusal = serverProblem(reschedule.error);
  if (refusal?.field === "start") shown.start = refusal.message;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    reschedule.reset();
    const startIso = start ? zonedWallClockToIso(start, zone) : null;
    if (!appointment || Object.keys(local).length > 0 || !startIso) return;
    reschedule.mutate(
      { id: appointment.id, body: { start_time: startIso, duration_minutes: Number(duration) } },
      { onSuccess: close },
    );
  };

  return (
    <Modal opened={appointment !== null} onClose={close} title="Reschedule appointment" centered>
      {appointment && (
        <form onSubmit={submit} noValidate aria-label="Reschedule appointment">
          <Stack>
            <Text size="sm">
              {appointment.patient_name} with {appointment.doctor_name}, now{" "}
              {formatDateTime(appointment.start_time, zone)} for {appointment.duration_minutes} minutes.
            </Text>
            <ZonedDateTimeField
              label="New date and time"
              zone={zone}
              value={start}
              onChange={(value) => {
                setStart(value);
                reschedule.reset();
              }}
              error={shown.start}
            />
            <NumberInput
              label="Duration (minutes)"
              min={minDuration}
              max={maxDuration}
              step={5}
              allowDecimal={false}
              value={duration}
              onChange={setDuration}
              error={shown.duration}
              required
            />
            {refusal && refusal.field !== "start" && (
              <Alert color="red" role="alert" title="The appointment was not moved">
                {refusal.message}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Close
              </Button>
              <Button type="submit" loading={reschedule.isPending}>
                Reschedule
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
