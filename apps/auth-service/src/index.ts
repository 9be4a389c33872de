export { type AuthAppOptions, authBasePath, buildApp } from "./app.ts";
export { type AuthConfig, authConfigSchema, loadAuthConfig } from "./config.ts";
