import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Workspaces export their TypeScript sources under the "@clinic/source" condition and their
// compiled dist/ otherwise (what `node dist/server.js` loads): tests run the sources, never a
// stale build. Vite's own "module" condition is left out, as Vitest does by default.
const ssr = {
  resolve: { conditions: ["@clinic/source", ...defaultServerConditions.filter((c) => c !== "module")] },
};

// One runner for the whole repo. Node projects run against PostgreSQL/RabbitMQ when
// DATABASE_URL/AMQP_URL are set (CI), PGlite and the in-process bus otherwise.
export default defineConfig({
  test: {
    projects: [
      "apps/web",
      {
        ssr,
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
        ssr,
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
        ssr,
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
