import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/appointments.gen.ts";
import { appointmentsClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

export type BookingRequest = operations["bookAppointment"]["requestBody"]["content"]["application/json"];
export type RescheduleRequest = operations["rescheduleAppointment"]["requestBody"]["content"]["application/json"];
/** An invite link for the appointment's patient: shown once, only its hash is stored. */
export type InviteLink = operations["createInvite"]["responses"][201]["content"]["application/json"];

/** Every change re-reads the lists (the doctor's, the admin's, the dashboard's upcoming count). */
function useRefreshAppointments() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ["appointments"] });
}

export function useBookAppointment() {
  const refresh = useRefreshAppointments();
  return useMutation({
    mutationFn: (body: BookingRequest) => unwrap(appointmentsClient.POST("/api/appointments", { body })),
    onSuccess: refresh,
  });
}

export function useCancelAppointment() {
  const refresh = useRefreshAppointments();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(appointmentsClient.POST("/api/appointments/{id}/cancel", { params: { path: { id } } })),
    // A 409 (no longer SCHEDULED) or 404 means the list on screen is out of date as well.
    onSettled: refresh,
  });
}

export function useRescheduleAppointment() {
  const refresh = useRefreshAppointments();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: RescheduleRequest }) =>
      unwrap(appointmentsClient.POST("/api/appointments/{id}/reschedule", { params: { path: { id } }, body })),
    onSettled: refresh,
  });
}

export function useCreateInvite() {
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(appointmentsClient.POST("/api/appointments/{id}/invites", { params: { path: { id } } })),
  });
}

/** Revokes every live invite link of the appointment (a link already sent stops working). */
export function useRevokeInvites() {
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(appointmentsClient.DELETE("/api/appointments/{id}/invites", { params: { path: { id } } })),
  });
}
