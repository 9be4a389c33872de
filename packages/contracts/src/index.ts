export * from "./appointments.ts";
export * from "./auth.ts";
export * from "./common.ts";
export * from "./events.ts";
export * from "./signalling.ts";
export * from "./video.ts";
