import { initTracing } from "@clinic/platform/tracing";

// Tracing first (when OTEL_EXPORTER_OTLP_ENDPOINT is set): the modules it instruments
// (http, fastify) must load after it, hence the dynamic imports below.
await initTracing({ serviceName: "gateway" });
const { listen } = await import("@clinic/platform");
const { buildApp } = await import("./app.ts");
const { loadGatewayConfig } = await import("./config.ts");

const config = loadGatewayConfig();
const app = await buildApp({ config });
await listen(app, config.PORT, config.HOST);
