import {
  Appointment,
  AppointmentList,
  AppointmentParams,
  BookAppointmentRequest,
  errorResponses,
  ListAppointmentsQuery,
  RescheduleAppointmentRequest,
} from "@clinic/contracts";
import { type App, bearerToken } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import type { Actor } from "./appointment-access.ts";
import type { AppointmentsService } from "./appointments.service.ts";

export interface AppointmentsRoutesOptions {
  appointments: AppointmentsService;
}

const actor = (request: FastifyRequest): Actor => ({ user: request.user, requestId: request.id });
const tags = ["appointments"];

/** Every route needs a signed-in user; who may see or change what is decided in the service. */
export async function appointmentsRoutes(app: App, { appointments }: AppointmentsRoutesOptions): Promise<void> {
  app.addHook("onRequest", app.authenticate);

  // "/" under the prefix is /api/appointments, never /api/appointments/ (no trailing-slash paths).
  app.get(
    "/",
    {
      prefixTrailingSlash: "no-slash",
      schema: {
        operationId: "listAppointments",
        tags,
        summary: "List the caller's appointments (doctor: theirs; patient: own; admin: the clinic's)",
        querystring: ListAppointmentsQuery,
        response: { 200: AppointmentList, ...errorResponses(400, 401) },
      },
    },
    async (request) => appointments.list(actor(request), request.query),
  );

  app.get(
    "/:id",
    {
      // An invite holder reads their own appointment (the invite page waits for the doctor
      // here); appointment-access.ts confines them to it and re-checks the invite.
      config: { allowInvite: true },
      schema: {
        operationId: "getAppointment",
        tags,
        summary: "One appointment",
        params: AppointmentParams,
        response: { 200: Appointment, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => appointments.get(actor(request), request.params.id),
  );

  app.post(
    "/",
    {
      prefixTrailingSlash: "no-slash",
      schema: {
        operationId: "bookAppointment",
        tags,
        summary: "Book an appointment (a doctor for themselves, an admin for a doctor of the clinic)",
        description:
          "The patient and the doctor must be active people of the caller's clinic in the auth service's " +
          "directory (asked with the caller's token); the stored names are the directory's. " +
          "400 UNKNOWN_PATIENT, PATIENT_INACTIVE, UNKNOWN_DOCTOR, DOCTOR_INACTIVE; 503 DIRECTORY_UNAVAILABLE.",
        body: BookAppointmentRequest,
        response: { 201: Appointment, ...errorResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const booker = { ...actor(request), bearerToken: bearerToken(request) };
      return reply.status(201).send(await appointments.book(booker, request.body));
    },
  );

  app.post(
    "/:id/cancel",
    {
      schema: {
        operationId: "cancelAppointment",
        tags,
        summary: "Cancel a SCHEDULED appointment",
        params: AppointmentParams,
        response: { 200: Appointment, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => appointments.cancel(actor(request), request.params.id),
  );

  app.post(
    "/:id/reschedule",
    {
      schema: {
        operationId: "rescheduleAppointment",
        tags,
        summary: "Move a SCHEDULED appointment to another time",
        params: AppointmentParams,
        body: RescheduleAppointmentRequest,
        response: { 200: Appointment, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => appointments.reschedule(actor(request), request.params.id, request.body),
  );
}
