// Production-shaped EXAMPLE for PM2 (https://pm2.keymetrics.io), not tested here: each
// service as its own process on one host, against PostgreSQL and RabbitMQ you run.
// See deploy/README.md. Secrets come from the environment pm2 is started with.
//
//   DB=postgres://clinic:secret@db.internal:5432 AMQP_URL=amqp://clinic:secret@mq.internal:5672 \
//   AUTH_SIGNING_KEY='{"kty":"OKP",...}' pm2 start deploy/pm2.config.cjs
const db = process.env.DB ?? "postgres://clinic:change-me@127.0.0.1:5432";
const shared = {
  NODE_ENV: "production",
  HOST: "127.0.0.1",
  LOG_LEVEL: "info",
  AMQP_URL: process.env.AMQP_URL ?? "amqp://clinic:change-me@127.0.0.1:5672",
  AUTH_JWKS_URL: "http://127.0.0.1:8080/api/auth/.well-known/jwks.json",
};

/** One pm2 app per service; `kill_timeout` leaves time for the graceful shutdown (outbox flush). */
const service = (name, env) => ({
  name,
  cwd: `${__dirname}/..`,
  script: `apps/${name}/src/server.ts`,
  interpreter: "node",
  interpreter_args: "--import tsx",
  instances: 1,
  kill_timeout: 20_000,
  max_restarts: 20,
  env: { ...shared, ...env },
});

module.exports = {
  apps: [
    service("auth-service", {
      PORT: "8080",
      DATABASE_URL: `${db}/auth`,
      AUTH_SIGNING_KEY: process.env.AUTH_SIGNING_KEY,
      TRUST_PROXY: "127.0.0.1",
    }),
    service("appointments-service", { PORT: "8082", DATABASE_URL: `${db}/appointments` }),
    service("video-service", {
      PORT: "8086",
      DATABASE_URL: `${db}/video`,
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
    }),
  ],
};
