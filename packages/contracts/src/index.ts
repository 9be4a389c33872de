export * from "./appointments.ts";
export * from "./common.ts";
export * from "./events.ts";
