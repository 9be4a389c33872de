import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript module of the scripts, without declarations
import { buildStackBundle, stackBundleIsFresh, stackBundleLayout } from "./stack-bundle.mjs";

interface Layout {
  root: string;
  entry: string;
  outDir: string;
  main: string;
}

const repoRoot = fileURLToPath(new URL("../", import.meta.url));

/** `npm start` runs the stack bundled (scripts/stack-bundle.mjs) when its sources have not changed since. */
describe("the stack's bundle for npm start", () => {
  let dir: string;
  let layout: Layout;
  const source = (name: string) => join(dir, "src", name);
  const run = () => JSON.parse(execFileSync(process.execPath, [layout.main], { encoding: "utf8" }).trim());
  /** Moves a file's modification time past the bundle's (mtimes can be equal within one ms). */
  const touch = (path: string) => {
    const later = new Date(Date.now() + 5000);
    utimesSync(path, later, later);
  };
  /** Back to the past, so that the next build is newer than the file. */
  const settle = (path: string) => {
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(path, earlier, earlier);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "stack-bundle-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(
      source("main.ts"),
      [
        'import { readFileSync } from "node:fs";',
        'import { greet } from "./greet.ts";',
        "// Read beside this source, as the services read their migrations.",
        'const text: string = readFileSync(new URL("./data.txt", import.meta.url), "utf8");',
        'const { lazy } = await import("./lazy.ts");',
        "console.log(JSON.stringify({ greet: greet(), text, lazy }));",
      ].join("\n"),
    );
    writeFileSync(source("greet.ts"), 'export const greet = (): string => "hello";\n');
    writeFileSync(source("lazy.ts"), 'export const lazy: string = "loaded later";\n');
    writeFileSync(source("data.txt"), "beside the source");
    const outDir = join(dir, "out", "clinic-stack");
    layout = { root: dir, entry: source("main.ts"), outDir, main: join(outDir, "main.mjs") };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is built when missing, and runs as the sources would", { timeout: 60_000 }, async () => {
    expect(stackBundleIsFresh(layout)).toBe(false);
    await buildStackBundle(layout);
    expect(stackBundleIsFresh(layout)).toBe(true);
    expect(run()).toEqual({ greet: "hello", text: "beside the source", lazy: "loaded later" });
    // The dynamic import stays a chunk of its own, loaded only when reached.
    expect(readFileSync(layout.main, "utf8")).not.toContain("loaded later");
  });

  it("is stale once a source changes, and the rebuild has the change", { timeout: 60_000 }, async () => {
    writeFileSync(source("greet.ts"), 'export const greet = (): string => "changed";\n');
    touch(source("greet.ts"));
    expect(stackBundleIsFresh(layout)).toBe(false);
    settle(source("greet.ts"));
    await buildStackBundle(layout);
    expect(stackBundleIsFresh(layout)).toBe(true);
    expect(run().greet).toBe("changed");
  });

  it("is stale when a source it was built from is gone", { timeout: 60_000 }, async () => {
    await buildStackBundle(layout);
    expect(stackBundleIsFresh(layout)).toBe(true);
    rmSync(source("lazy.ts"));
    expect(stackBundleIsFresh(layout)).toBe(false);
    writeFileSync(source("lazy.ts"), 'export const lazy: string = "loaded later";\n');
  });

  it("is stale after an install (the lockfiles change) and when the checkout moved", { timeout: 60_000 }, async () => {
    const installRecord = join(dir, "node_modules", ".package-lock.json");
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(installRecord, "{}");
    settle(installRecord);
    await buildStackBundle(layout);
    expect(stackBundleIsFresh(layout)).toBe(true);
    touch(installRecord);
    expect(stackBundleIsFresh(layout)).toBe(false);
    settle(installRecord);
    expect(stackBundleIsFresh(layout)).toBe(true);
    // The same bundle seen from a copy of the checkout: its paths are the original's.
    expect(stackBundleIsFresh({ ...layout, root: join(dir, "copy") })).toBe(false);
  });

  it("bundles the real stack: no TypeScript left, packages imported by path, tracing before the app", {
    timeout: 120_000,
  }, async () => {
    const real: Layout = { ...stackBundleLayout(repoRoot), outDir: join(dir, "real") };
    real.main = join(real.outDir, "main.mjs");
    await buildStackBundle(real);
    const chunks = readdirSync(real.outDir).filter((f) => f.endsWith(".mjs"));
    const code = chunks.map((f) => readFileSync(join(real.outDir, f), "utf8")).join("\n");
    expect(code).not.toMatch(/from "[^"]+\.ts"/);
    expect(code).toMatch(/from "file:\/\/[^"]+\/node_modules\/fastify\//);
    // main.mjs statically imports only its own chunks, none of them a package: the modules
    // OpenTelemetry instruments load after initTracing, through the dynamic imports.
    const main = readFileSync(real.main, "utf8");
    expect(main).toMatch(/await initTracing\(/);
    const staticImports = [...main.matchAll(/^\} from "([^"]+)";$/gm)].map((m) => m[1] as string);
    expect(staticImports.length).toBeGreaterThan(0);
    for (const chunk of staticImports) {
      expect(chunk).toMatch(/^\.\/chunk-/);
      expect(readFileSync(join(real.outDir, chunk), "utf8")).not.toContain("file://");
    }
    const inputs = JSON.parse(readFileSync(join(real.outDir, "inputs.json"), "utf8")).inputs as string[];
    expect(inputs).toContain(join(repoRoot, "apps", "stack", "src", "stack.ts"));
  });
});
