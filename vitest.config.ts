import { defineConfig } from "vitest/config";

// One runner for the whole repo. Node projects run against PostgreSQL/RabbitMQ when
// DATABASE_URL/AMQP_URL are set (CI), PGlite and the in-process bus otherwise.
export default defineConfig({
  test: {
    projects: [
      "apps/web",
      {
        test: {
          name: "services",
          include: [
            "packages/*/src/**/*.test.ts",
            "apps/{auth-service,appointments-service,video-service,gateway}/src/**/*.test.ts",
            "apps/*/test/**/*.test.ts",
            // The web app's build checks run in Node (the web project runs jsdom).
            "apps/web/build/**/*.test.ts",
            "deploy/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
          exclude: ["apps/web/src/**", "**/node_modules/**"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Reliability and security suites (issue 7): whole services on real ports, child
        // processes and broker/database faults, one file at a time.
        test: {
          name: "suites",
          include: ["tests/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
