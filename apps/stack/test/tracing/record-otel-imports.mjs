// Preloaded (`node --import`) by tracing.test.ts: registers otel-import-hooks.mjs, which
// appends to OTEL_IMPORTS_LOG every @opentelemetry module the ESM loader resolves.
import { register } from "node:module";

register("./otel-import-hooks.mjs", import.meta.url);
