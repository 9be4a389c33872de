import react from "@vitejs/plugin-react";
import { defaultClientConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
  plugins: [react()],
  // The shared packages' TypeScript sources (@clinic/contracts), not their dist/ builds.
  resolve: { conditions: ["@clinic/source", ...defaultClientConditions] },
  test: {
    name: "web",
    root: import.meta.dirname,
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
    testTimeout: 15_000,
  },
});
