import type { UserConfig } from "vite";
import { describe, expect, it } from "vitest";
import config from "../vite.config.ts";

/**
 * The gateway serves dist/ to anyone, so the production build must not write source maps
 * into it (they would publish the original source). The gateway also refuses `*.map`
 * (apps/gateway/src/web/web-app.test.ts); this keeps them out of the build in the first place.
 */
describe("the web app's production build", () => {
  it("writes no source maps into the served directory", () => {
    const build = (config as UserConfig).build;
    expect(build?.outDir).toBe("dist");
    expect(build?.sourcemap).toBe(false);
  });
});
