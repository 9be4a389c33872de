import { Alert, Button, Group, NumberInput, Stack, Switch } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { describeError } from "../../../components/error-state.tsx";
import { isApiError } from "../../../lib/api-error.ts";
import { zonedWallClockToIso } from "../../../lib/format.ts";
import type { DirectoryEntry } from "../api/directory.ts";
import type { Appointment } from "../api/get-appointments.ts";
import { type BookingRequest, useBookAppointment } from "../api/manage-appointments.ts";
import { maxDuration, minDuration, whenProblems } from "../booking-rules.ts";
import { PersonPicker } from "./person-picker.tsx";
import { ZonedDateTimeField } from "./zoned-date-time-field.tsx";

interface Props {
  /** An admin books for a doctor of the clinic; a doctor books for themselves. */
  chooseDoctor: boolean;
  zone: string;
  onBooked: (appointment: Appointment) => void;
  onCancel: () => void;
  now?: () => Date;
}

type Field = "patient" | "doctor" | "start" | "duration";

/** The server's refusals, on the field they concern (their messages are written for people). */
function fieldOf(code: string): Field | null {
  switch (code) {
    case "UNKNOWN_PATIENT":
    case "PATIENT_INACTIVE":
      return "patient";
    case "UNKNOWN_DOCTOR":
    case "DOCTOR_INACTIVE":
      return "doctor";
    case "DOCTOR_UNAVAILABLE":
    case "START_TIME_IN_PAST":
      return "start";
    default:
      return null;
  }
}

export function serverProblem(error: unknown): { field: Field | null; message: string } | null {
  if (!error) return null;
  if (isApiError(error, "DOCTOR_UNAVAILABLE"))
    return { field: "start", message: "The doctor already has an appointment at that time. Choose another time." };
  if (isApiError(error, "DIRECTORY_UNAVAILABLE"))
    return {
      field: null,
      message:
        "The clinic's directory cannot be reached just now, so the booking could not be checked. Try again shortly.",
    };
  if (isApiError(error) && error.status === 400) return { field: fieldOf(error.code), message: error.error };
  if (isApiError(error) && error.status === 409) return { field: null, message: error.error };
  return { field: null, message: describeError(error, "Appointment").message };
}

/** Books an appointment: patient from the directory, date and time in the clinic's zone, duration. */
export function BookingForm({ chooseDoctor, zone, onBooked, onCancel, now = () => new Date() }: Props) {
  const book = useBookAppointment();
  const [patient, setPatient] = useState<DirectoryEntry | null>(null);
  const [doctor, setDoctor] = useState<DirectoryEntry | null>(null);
  const [start, setStart] = useState<string | null>(null);
  const [duration, setDuration] = useState<number | string>(30);
  const [video, setVideo] = useState(true);
  const [submitted, setSubmitted] = useState(false);

  const local = {
    ...whenProblems({ start, durationMinutes: duration }, zone, now()),
    ...(patient ? {} : { patient: "Choose a patient." }),
    ...(chooseDoctor && !doctor ? { doctor: "Choose a doctor." } : {}),
  };
  const shown: Partial<Record<Field, string>> = submitted ? { ...local } : {};
  const refusal = serverProblem(book.error);
  if (refusal?.field) shown[refusal.field] = refusal.message;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    book.reset();
    const startIso = start ? zonedWallClockToIso(start, zone) : null;
    if (Object.keys(local).length > 0 || !patient || !startIso) return;
    const body: BookingRequest = {
      patient_id: patient.id,
      start_time: startIso,
      duration_minutes: Number(duration),
      video_enabled: video,
      ...(chooseDoctor && doctor ? { doctor_id: doctor.id } : {}),
    };
    book.mutate(body, { onSuccess: onBooked });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Book an appointment">
      <Stack>
        {chooseDoctor && (
          <PersonPicker
            kind="DOCTOR"
            label="Doctor"
            value={doctor}
            onChange={(d) => {
              setDoctor(d);
              book.reset();
            }}
            error={shown.doctor}
          />
        )}
        <PersonPicker
          kind="PATIENT"
          label="Patient"
          value={patient}
          onChange={(p) => {
            setPatient(p);
            book.reset();
          }}
          error={shown.patient}
        />
        <ZonedDateTimeField
          label="Date and time"
          zone={zone}
          value={start}
          onChange={(value) => {
            setStart(value);
            book.reset();
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
        <Switch label="Video consultation" checked={video} onChange={(e) => setVideo(e.currentTarget.checked)} />
        {refusal && !refusal.field && (
          <Alert color="red" role="alert" title="The appointment was not booked">
            {refusal.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Close
          </Button>
          <Button type="submit" loading={book.isPending}>
            Book appointment
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
