import { Modal } from "@mantine/core";
import { type ReactNode, useState } from "react";
import type { Appointment } from "../api/get-appointments.ts";
import type { ManageActions } from "./appointments-table.tsx";
import { BookingForm } from "./booking-form.tsx";
import { CancelAppointmentDialog } from "./cancel-appointment-dialog.tsx";
import { InviteLinkDialog } from "./invite-link-dialog.tsx";
import { RescheduleAppointmentModal } from "./reschedule-appointment-modal.tsx";

/**
 * Book, cancel, reschedule and invite-link dialogs for an appointments screen (the doctor's
 * and the admin's): the table's `manage` actions open them; `openBooking` opens the form.
 */
export function useManageDialogs({ zone, chooseDoctor }: { zone: string; chooseDoctor: boolean }): {
  manage: ManageActions;
  openBooking: () => void;
  dialogs: ReactNode;
} {
  const [booking, setBooking] = useState(false);
  const [cancelling, setCancelling] = useState<Appointment | null>(null);
  const [moving, setMoving] = useState<Appointment | null>(null);
  const [inviting, setInviting] = useState<Appointment | null>(null);
  return {
    manage: { onCancel: setCancelling, onReschedule: setMoving, onInvite: setInviting },
    openBooking: () => setBooking(true),
    dialogs: (
      <>
        <Modal opened={booking} onClose={() => setBooking(false)} title="Book an appointment" centered size="lg">
          {booking && (
            <BookingForm
              chooseDoctor={chooseDoctor}
              zone={zone}
              onBooked={() => setBooking(false)}
              onCancel={() => setBooking(false)}
            />
          )}
        </Modal>
        <CancelAppointmentDialog appointment={cancelling} zone={zone} onClose={() => setCancelling(null)} />
        <RescheduleAppointmentModal appointment={moving} zone={zone} onClose={() => setMoving(null)} />
        <InviteLinkDialog appointment={inviting} zone={zone} onClose={() => setInviting(null)} />
      </>
    ),
  };
}
