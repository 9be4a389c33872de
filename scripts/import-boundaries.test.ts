import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const features = (await readdir(join(root, "apps/web/src/features"), { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * Files that each break (or keep) a boundary, linted with the repository's biome.json in a
 * scratch folder laid out like the repository. The web rule is one override per feature, so a
 * new feature without its override fails here.
 */
const probes: Record<string, { source: string; violations: number }> = {
  "packages/platform/src/probe.ts": {
    source: `import { buildApp } from "@clinic/video-service";\nexport const probe = buildApp;\n`,
    violations: 1,
  },
  "apps/stack/src/probe.ts": {
    source: [
      `import { buildApp } from "@clinic/video-service/src/app.ts";`,
      `import { loadGatewayConfig } from "../../gateway/src/config.ts";`,
      "export const probe = [buildApp, loadGatewayConfig];\n",
    ].join("\n"),
    violations: 2,
  },
  "apps/stack/src/allowed.ts": {
    source: [
      `import { buildApp } from "@clinic/video-service";`,
      `import { signalUrl } from "@clinic/video-service/testing";`,
      "export const probe = [buildApp, signalUrl];\n",
    ].join("\n"),
    violations: 0,
  },
  "bench/servers/probe.ts": {
    source: `import type { VideoDb } from "../../apps/video-service/src/tables.ts";\nexport type Probe = VideoDb;\n`,
    violations: 1,
  },
  ...Object.fromEntries(
    features.map((feature) => {
      const others = features.filter((other) => other !== feature);
      const imports = [
        ...others.map((other, i) => `import * as f${i} from "../../${other}/api/x.ts";`),
        `import * as own from "../api/x.ts";`,
        `import * as lib from "../../../lib/x.ts";`,
      ];
      const names = [...others.map((_, i) => `f${i}`), "own", "lib"];
      const source = `${imports.join("\n")}\nexport const probe = [${names.join(", ")}];\n`;
      return [`apps/web/src/features/${feature}/components/probe.ts`, { source, violations: others.length }];
    }),
  ),
};

describe("import boundaries (biome.json's noRestrictedImports)", () => {
  let scratch: string;
  let found: Map<string, number>;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "import-boundaries-"));
    const config = JSON.parse(await readFile(join(root, "biome.json"), "utf8"));
    delete config.$schema;
    config.vcs = { enabled: false };
    await writeFile(join(scratch, "biome.json"), JSON.stringify(config));
    for (const [path, { source }] of Object.entries(probes)) {
      await mkdir(dirname(join(scratch, path)), { recursive: true });
      await writeFile(join(scratch, path), source);
    }
    const biome = join(root, "node_modules/.bin/biome");
    const run = promisify(execFile)(biome, ["lint", "--reporter=json", "--max-diagnostics=1000", "."], {
      cwd: scratch,
      timeout: 60_000,
    });
    // biome exits non-zero when it reports errors, which is what most probes are for.
    const { stdout } = await run.catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? "" }));
    const report = JSON.parse(stdout) as { diagnostics: { category?: string; location?: { path?: string } }[] };
    found = new Map();
    for (const d of report.diagnostics) {
      if (d.category !== "lint/style/noRestrictedImports" || !d.location?.path) continue;
      found.set(d.location.path, (found.get(d.location.path) ?? 0) + 1);
    }
  });

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("has web features to check", () => {
    expect(features.length).toBeGreaterThan(1);
  });

  it("refuses a package importing an app, deep src/ imports across workspaces and cross-feature imports", () => {
    const counts = Object.fromEntries(Object.keys(probes).map((path) => [path, found.get(path) ?? 0]));
    const expected = Object.fromEntries(Object.entries(probes).map(([path, { violations }]) => [path, violations]));
    expect(counts).toEqual(expected);
  });
});
