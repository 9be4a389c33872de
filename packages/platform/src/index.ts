export * from "./auth.ts";
export * from "./config.ts";
export * from "./db.ts";
export * from "./errors.ts";
export * from "./events/index.ts";
export * from "./logger.ts";
export * from "./openapi.ts";
export * from "./server.ts";
