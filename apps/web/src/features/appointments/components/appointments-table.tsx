import { Button, Group, SegmentedControl, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { formatDateTime } from "../../../lib/format.ts";
import type { Appointment, AppointmentStatus } from "../api/get-appointments.ts";
import { StartVideoButton } from "./start-video-button.tsx";
import { StatusBadge } from "./status-badge.tsx";

type Filter = "ALL" | AppointmentStatus;
const filters: Filter[] = ["ALL", "SCHEDULED", "IN_PROGRESS", "COMPLETED", "CANCELLED"];

/** The doctor's call actions (Start Video, View Session, Add Notes); an admin's list has none. */
export interface CallActions {
  now: Date;
  videoBlockedReason: string | null;
  startingId: string | null;
  onStart: (appointment: Appointment) => void;
  onViewSession: (appointment: Appointment) => void;
  onAddNotes: (appointment: Appointment) => void;
}

/** Changes to a scheduled appointment (its doctor or a clinic admin). */
export interface ManageActions {
  onCancel: (appointment: Appointment) => void;
  onReschedule: (appointment: Appointment) => void;
  onInvite: (appointment: Appointment) => void;
}

interface Props {
  appointments: Appointment[];
  calls?: CallActions | undefined;
  manage?: ManageActions | undefined;
  /** The admin's list: every doctor of the clinic, so the doctor is a column. */
  showDoctor?: boolean;
}

function CallButtons({ appointment: a, ...props }: CallActions & { appointment: Appointment }) {
  if (!a.video_enabled) return <Text size="sm">In person</Text>;
  if (a.status === "IN_PROGRESS") {
    return (
      <Button
        size="xs"
        onClick={() => props.onViewSession(a)}
        disabled={props.videoBlockedReason !== null && !a.session_id}
      >
        View Session
      </Button>
    );
  }
  if (a.status === "COMPLETED") {
    return (
      <Button size="xs" variant="light" onClick={() => props.onAddNotes(a)} disabled={!a.session_id}>
        Add Notes
      </Button>
    );
  }
  if (a.status === "SCHEDULED") {
    return (
      <StartVideoButton
        startTime={a.start_time}
        durationMinutes={a.duration_minutes}
        now={props.now}
        blockedReason={props.videoBlockedReason}
        loading={props.startingId === a.id}
        onStart={() => props.onStart(a)}
      />
    );
  }
  return null;
}

function ManageButtons({ appointment: a, ...manage }: ManageActions & { appointment: Appointment }) {
  const who = `${a.patient_name}, ${formatDateTime(a.start_time)}`;
  return (
    <>
      {a.video_enabled && (a.status === "SCHEDULED" || a.status === "IN_PROGRESS") && (
        <Button size="xs" variant="light" aria-label={`Invite link for ${who}`} onClick={() => manage.onInvite(a)}>
          Invite link
        </Button>
      )}
      {a.status === "SCHEDULED" && (
        <>
          <Button size="xs" variant="default" aria-label={`Reschedule ${who}`} onClick={() => manage.onReschedule(a)}>
            Reschedule
          </Button>
          <Button
            size="xs"
            variant="light"
            color="red"
            aria-label={`Cancel appointment ${who}`}
            onClick={() => manage.onCancel(a)}
          >
            Cancel
          </Button>
        </>
      )}
    </>
  );
}

/** The appointments list (guide §UI 1): the doctor's own, or the clinic's for an admin. */
export function AppointmentsTable({ appointments, calls, manage, showDoctor = false }: Props) {
  const [filter, setFilter] = useState<Filter>("ALL");
  const shown = filter === "ALL" ? appointments : appointments.filter((a) => a.status === filter);
  return (
    <Stack>
      <SegmentedControl
        aria-label="Filter by status"
        value={filter}
        onChange={(value) => setFilter(value as Filter)}
        data={filters.map((f) => ({ value: f, label: f === "ALL" ? "All" : f.replace("_", " ") }))}
      />
      <Table.ScrollContainer minWidth={showDoctor ? 860 : 760}>
        <Table striped highlightOnHover aria-label="Appointments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Patient Name</Table.Th>
              <Table.Th>Date/Time</Table.Th>
              {showDoctor && <Table.Th>Doctor</Table.Th>}
              <Table.Th>Status</Table.Th>
              <Table.Th>Video</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{a.patient_name}</Table.Td>
                <Table.Td>{formatDateTime(a.start_time)}</Table.Td>
                {showDoctor && <Table.Td>{a.doctor_name}</Table.Td>}
                <Table.Td>
                  <StatusBadge status={a.status} />
                </Table.Td>
                <Table.Td>
                  {a.video_enabled ? (
                    <span role="img" aria-label="Video consultation">
                      🎥
                    </span>
                  ) : (
                    <Text size="sm" c="dimmed">
                      —
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    {calls && <CallButtons appointment={a} {...calls} />}
                    {manage && <ManageButtons appointment={a} {...manage} />}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {shown.length === 0 && (
        <Text c="dimmed" ta="center">
          {filter === "ALL" ? "No appointments." : `No ${filter.replace("_", " ").toLowerCase()} appointments.`}
        </Text>
      )}
    </Stack>
  );
}
