export { type AppointmentsAppOptions, appointmentsBasePath, buildApp } from "./app.ts";
export { appointmentsQueue, createConsultationEventHandler } from "./appointments/consultation-events.ts";
export { type AppointmentsConfig, appointmentsConfigSchema, loadAppointmentsConfig } from "./config.ts";
