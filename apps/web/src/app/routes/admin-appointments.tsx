import { Button, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { ErrorState } from "../../components/error-state.tsx";
import { useAppointments } from "../../features/appointments/api/get-appointments.ts";
import { AppointmentsTable } from "../../features/appointments/components/appointments-table.tsx";
import { useManageDialogs } from "../../features/appointments/components/manage-dialogs.tsx";
import { useClinicTimeZone } from "../../lib/clinic-time-zone.ts";

/** From the start of yesterday (the doctor's list shows the same span). */
const dayStart = () => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - 1);
  return d.toISOString();
};

/** The clinic's appointments, every doctor's: book for any doctor, cancel, reschedule, invite links. */
export function AdminAppointmentsRoute() {
  const [from] = useState(dayStart);
  const appointments = useAppointments({ from, limit: 100, offset: 0 }, 30_000);
  const { zone } = useClinicTimeZone();
  const { manage, openBooking, dialogs } = useManageDialogs({ zone, chooseDoctor: true });
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Clinic appointments</Title>
        <Button onClick={openBooking}>Book appointment</Button>
      </Group>
      <Text size="sm" c="dimmed">
        Every doctor's appointments from yesterday on. Times are in the clinic's time zone, {zone}.
      </Text>
      <ErrorBoundary region="appointments list">
        {appointments.isPending && <Loader aria-label="Loading appointments" />}
        {appointments.isError && (
          <ErrorState error={appointments.error} subject="Appointments" onRetry={() => void appointments.refetch()} />
        )}
        {appointments.data && (
          <AppointmentsTable
            appointments={[...appointments.data.appointments].sort((a, b) => a.start_time.localeCompare(b.start_time))}
            manage={manage}
            showDoctor
          />
        )}
      </ErrorBoundary>
      {dialogs}
    </Stack>
  );
}
