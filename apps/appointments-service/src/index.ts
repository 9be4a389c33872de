export { type AppointmentsAppOptions, appointmentsBasePath, buildApp } from "./app.ts";
export { appointmentsQueue, createConsultationEventHandler } from "./appointments/consultation-events.ts";
export { type AppointmentsConfig, appointmentsConfigSchema, loadAppointmentsConfig } from "./config.ts";
export {
  createDirectoryClient,
  type Directory,
  type DirectoryCaller,
  type DirectoryPerson,
  staticDirectory,
} from "./directory/directory.client.ts";
