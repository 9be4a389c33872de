import { initTracing, shutdownTracing } from "@clinic/platform/tracing";

/**
 * `npm start` (through scripts/start.mjs): the whole back end in this process. Prints where
 * everything is and the demo logins, and stops cleanly on Ctrl-C / SIGTERM: the gateway
 * stops taking requests, each service finishes what is in flight and flushes its outbox,
 * then the databases and the bus close.
 */
// Tracing first (when OTEL_EXPORTER_OTLP_ENDPOINT is set): the modules it instruments must
// load after it, hence the dynamic import. One process, so one service name for the stack.
await initTracing({ serviceName: "clinic-stack" });
const { ConfigError } = await import("@clinic/platform");
const { runStack } = await import("./stack.ts");
const stack = await runStack().catch((err: unknown) => {
  // A bad setting (VIDEO_REPLICAS without REDIS_URL, …) is one message, not a stack trace.
  process.stderr.write(`${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
const { urls } = stack;
// With VIDEO_REPLICAS > 1, each instance on its own port, behind the gateway's one address.
const instances =
  urls.videoInstances.length > 1
    ? urls.videoInstances.map((url, i) => `    video-${i + 1}        ${url}      docs: ${url}/docs`)
    : [];
const lines = [
  "",
  "Clinic video consultations is running.",
  "",
  `  Web app        ${urls.gateway}`,
  `  Health         ${urls.gateway}/health`,
  `  Auth           ${urls.gateway}/auth/api/auth      docs: ${urls.auth}/docs`,
  `  Appointments   ${urls.gateway}/appointments/api/appointments      docs: ${urls.appointments}/docs`,
  `  Video          ${urls.gateway}/video/api/video      docs: ${urls.video}/docs`,
  ...instances,
  "",
  // Only when they exist (never under NODE_ENV=production, nor against a real database unasked).
  ...(stack.demo
    ? [
        "  Demo logins (email / password):",
        "    doctor          doctor@demo.clinic    / doctor-demo",
        "    second doctor   doctor2@demo.clinic   / doctor-demo",
        "    patient         patient@demo.clinic   / patient-demo",
        "    clinic admin    admin@demo.clinic     / admin-demo",
        "",
      ]
    : ["  No demo logins (SEED_DEMO is off): create the first admin with `npm run admin -- create-user`.", ""]),
  "  Ctrl-C stops everything.",
  "",
];
process.stdout.write(`${lines.join("\n")}\n`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping…\n`);
  const force = setTimeout(() => {
    process.stderr.write("did not stop within 15 s, exiting\n");
    process.exit(1);
  }, 15_000);
  force.unref();
  try {
    await stack.close();
    await shutdownTracing().catch(() => undefined);
    process.exit(0);
  } catch (err) {
    process.stderr.write(`stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
