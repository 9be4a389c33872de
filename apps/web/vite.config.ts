import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";
import { precompress } from "./build/precompress.ts";

// In development the app talks to the gateway through Vite's proxy, so the browser still sees
// one origin (as it does in production, where the gateway serves dist/).
const gateway = process.env.GATEWAY_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), precompress()],
  // Bundle the shared packages' TypeScript sources (@clinic/contracts), not their dist/ builds.
  resolve: { conditions: ["@clinic/source", ...defaultClientConditions] },
  server: {
    port: 5173,
    proxy: {
      "/auth": gateway,
      "/appointments": gateway,
      "/video": { target: gateway, ws: true },
    },
  },
  build: {
    outDir: "dist",
    // No source maps in dist/: the gateway serves dist/ publicly and a map would publish the
    // app's original source. Debug with the dev server (`npm run dev`, inline maps); for a
    // production trace, build once with `--sourcemap hidden --outDir <outside dist>`.
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
});
