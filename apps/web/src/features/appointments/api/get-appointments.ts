import { queryOptions, useQuery } from "@tanstack/react-query";
import type { operations } from "../../../lib/api/appointments.gen.ts";
import { appointmentsClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

type Operation = operations["listAppointments"];
export type AppointmentsQuery = NonNullable<Operation["parameters"]["query"]>;
export type AppointmentsPage = Operation["responses"][200]["content"]["application/json"];
export type Appointment = AppointmentsPage["appointments"][number];
export type AppointmentStatus = Appointment["status"];

export const getAppointments = (query: AppointmentsQuery) =>
  unwrap(appointmentsClient.GET("/api/appointments", { params: { query } }));

export const appointmentsQueryOptions = (query: AppointmentsQuery) =>
  queryOptions({ queryKey: ["appointments", "list", query], queryFn: () => getAppointments(query) });

/** `pollMs` lets the patient's waiting screen notice the doctor starting without a reload. */
export const useAppointments = (query: AppointmentsQuery, pollMs?: number) =>
  useQuery({ ...appointmentsQueryOptions(query), refetchInterval: pollMs ?? false });
