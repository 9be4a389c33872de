export { buildApp, createGatewayLogger, type GatewayAppOptions } from "./app.ts";
export { corsOrigins, type GatewayConfig, gatewayConfigSchema, loadGatewayConfig } from "./config.ts";
export { type UpstreamRoute, upstreamRoutes } from "./routes.ts";
export { webAppCsp } from "./web/web-app.ts";
