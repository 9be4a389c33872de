// Production-shaped EXAMPLE for PM2 (https://pm2.keymetrics.io), not tested here: each
// service as its own process on one host, against PostgreSQL and RabbitMQ you run.
// See deploy/README.md. Secrets come from the environment pm2 is started with. Runs the
// compiled JavaScript: `npm ci && npm run build` first (README, "Production build").
//
//   DB_HOST=db.internal:5432 DB_OWNER_PASSWORD=… DB_AUTH_PASSWORD=… DB_APPOINTMENTS_PASSWORD=… \
//   DB_VIDEO_PASSWORD=… AMQP_URL=amqp://clinic:secret@mq.internal:5672 \
//   AUTH_SIGNING_KEY='{"kty":"OKP",...}' pm2 start deploy/pm2.config.cjs
//
// Two roles per database (deploy/postgres/init.sql, docs/operations.md "Database roles"):
// the service connects as its own role, which only gets DML (DATABASE_URL); clinic_owner
// owns the database and runs the migrations (DATABASE_OWNER_URL).
const dbHost = process.env.DB_HOST ?? "127.0.0.1:5432";
const pgUrl = (role, password, database) =>
  `postgres://${role}:${encodeURIComponent(password ?? "change-me")}@${dbHost}/${database}`;
const databaseEnv = (database) => ({
  DATABASE_URL: pgUrl(`clinic_${database}`, process.env[`DB_${database.toUpperCase()}_PASSWORD`], database),
  DATABASE_OWNER_URL: pgUrl("clinic_owner", process.env.DB_OWNER_PASSWORD, database),
});
const shared = {
  NODE_ENV: "production",
  HOST: "127.0.0.1",
  LOG_LEVEL: "info",
  AMQP_URL: process.env.AMQP_URL ?? "amqp://clinic:change-me@127.0.0.1:5672",
  AUTH_JWKS_URL: "http://127.0.0.1:8080/api/auth/.well-known/jwks.json",
  // Every hop is on this host: the services believe the gateway's X-Forwarded-For and the
  // gateway the TLS proxy's, so the per-address limits and the audit rows count browsers.
  TRUST_PROXY: "127.0.0.1",
  // Set-password and invite links point at the public web address.
  PUBLIC_WEB_URL: process.env.PUBLIC_ORIGIN ?? "https://clinic.example",
};

/** One pm2 app per service; `kill_timeout` leaves time for the graceful shutdown (outbox flush). */
const service = (name, env) => ({
  name,
  cwd: `${__dirname}/..`,
  script: `apps/${name}/dist/server.js`,
  interpreter: "node",
  // Stack traces point at the TypeScript sources (dist/ carries source maps).
  interpreter_args: "--enable-source-maps",
  instances: 1,
  kill_timeout: 20_000,
  max_restarts: 20,
  env: { ...shared, ...env },
});

module.exports = {
  apps: [
    service("auth-service", {
      PORT: "8080",
      ...databaseEnv("auth"),
      AUTH_SIGNING_KEY: process.env.AUTH_SIGNING_KEY,
      // Invite links are checked there (POST /api/auth/invite-token).
      APPOINTMENTS_URL: "http://127.0.0.1:8082",
    }),
    service("appointments-service", {
      PORT: "8082",
      ...databaseEnv("appointments"),
      // Bookings are checked against the people directory there.
      AUTH_URL: "http://127.0.0.1:8080",
    }),
    service("video-service", {
      PORT: "8086",
      ...databaseEnv("video"),
      APPOINTMENTS_URL: "http://127.0.0.1:8082",
      MEDIA_PROVIDER: process.env.MEDIA_PROVIDER ?? "embedded",
      ICE_SERVERS: process.env.ICE_SERVERS ?? "[]",
    }),
    service("gateway", {
      PORT: "8000",
      // Behind a TLS-terminating proxy (nginx, a load balancer) that sets X-Forwarded-Proto/Host.
      HOST: "127.0.0.1",
      AUTH_URL: "http://127.0.0.1:8080",
      APPOINTMENTS_URL: "http://127.0.0.1:8082",
      VIDEO_URL: "http://127.0.0.1:8086",
      CORS_ORIGINS: process.env.PUBLIC_ORIGIN ?? "https://clinic.example",
      // Prometheus on this host scrapes the gateway at 127.0.0.1:9100/metrics (GATEWAY_METRICS_HOST
      // defaults to loopback) and each service at /metrics on its own port; /livez and /readyz
      // are there for a load balancer or a monitor (pm2 itself only restarts crashed processes).
      GATEWAY_METRICS_PORT: "9100",
    }),
  ],
};
