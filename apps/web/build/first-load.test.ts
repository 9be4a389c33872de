import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Rollup } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * What a patient's phone downloads first, checked on a real production build (issue 17). No
 * timing here (that is `npm run bench -- --only=web`, Lighthouse): the sizes and the contents of
 * the first load, which fail the suite when a change makes the sign-in page heavier.
 */
const webRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** Brotli bytes the sign-in page may download, as the gateway sends them (measured 121.8 KiB JS, 7.2 KiB CSS). */
export const signInBudget = { jsKiB: 135, cssKiB: 10 } as const;

/** Screens and libraries that must stay out of the first load: each is fetched when its route needs it. */
const lazyModules = [
  "src/app/app-layout.tsx",
  "src/app/routes/doctor-appointments.tsx",
  "src/app/routes/doctor-dashboard.tsx",
  "src/app/routes/admin-usage.tsx",
  "src/app/routes/admin-consent.tsx",
  "src/features/consent/components/",
  "src/app/routes/admin-webhooks.tsx",
  "src/app/routes/session-details.tsx",
  "src/app/routes/session-call.tsx",
  "src/app/routes/patient-home.tsx",
  "src/app/routes/join.tsx",
  "src/app/routes/set-password.tsx",
  "src/features/sessions/media/chime-call.ts",
  "node_modules/recharts/",
  "node_modules/@mantine/charts/",
  "node_modules/amazon-chime-sdk-js/",
  "node_modules/typebox/",
];

type Chunk = Rollup.OutputChunk & { viteMetadata?: { importedCss: Set<string> } };

let outDir: string;
let chunks: Map<string, Chunk>;

/** A chunk and every chunk it imports statically: what the browser must fetch before it runs. */
function staticClosure(fileName: string, seen = new Set<string>()): Set<string> {
  if (seen.has(fileName)) return seen;
  seen.add(fileName);
  for (const imported of chunks.get(fileName)?.imports ?? []) staticClosure(imported, seen);
  return seen;
}

const modulesOf = (files: Set<string>) => [...files].flatMap((f) => chunks.get(f)?.moduleIds ?? []);
const cssOf = (files: Set<string>) => [...files].flatMap((f) => [...(chunks.get(f)?.viteMetadata?.importedCss ?? [])]);
const brotliKiB = (files: string[]) => files.reduce((sum, f) => sum + statSync(join(outDir, `${f}.br`)).size, 0) / 1024;
const chunkOf = (module: string) =>
  [...chunks.values()].find((c) => c.facadeModuleId === join(webRoot, module))?.fileName;

describe("the web app's first load (production build)", () => {
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "web-first-load-"));
    // Vitest runs with NODE_ENV=test, which Vite would honour with React's development build.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    const result = (await build({
      root: webRoot,
      configFile: join(webRoot, "vite.config.ts"),
      mode: "production",
      logLevel: "silent",
      build: { outDir, emptyOutDir: true, sourcemap: false },
    }).finally(() => {
      process.env.NODE_ENV = nodeEnv;
    })) as Rollup.RollupOutput;
    chunks = new Map(
      result.output.filter((o): o is Chunk => o.type === "chunk").map((chunk) => [chunk.fileName, chunk]),
    );
  }, 120_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  const entry = () => {
    const found = [...chunks.values()].find((c) => c.isEntry);
    if (!found) throw new Error("the build has no entry chunk");
    return found.fileName;
  };

  it("downloads no other screen, chart, call engine or schema library with the sign-in page", () => {
    const firstLoad = modulesOf(staticClosure(entry()));
    expect(firstLoad.some((id) => id.endsWith("src/app/routes/login.tsx"))).toBe(true);
    for (const lazy of lazyModules) {
      expect(
        firstLoad.filter((id) => id.includes(lazy)),
        `${lazy} is in the first load`,
      ).toEqual([]);
    }
  });

  it("keeps the sign-in page's JavaScript and CSS within budget, sent brotli-compressed", () => {
    const files = staticClosure(entry());
    const js = brotliKiB([...files]);
    const css = brotliKiB(cssOf(files));
    expect(js, `sign-in JS ${js.toFixed(1)} KiB brotli`).toBeLessThanOrEqual(signInBudget.jsKiB);
    expect(css, `sign-in CSS ${css.toFixed(1)} KiB brotli`).toBeLessThanOrEqual(signInBudget.cssKiB);
    // The page links exactly these files, so the budget is what the browser fetches.
    const html = readFileSync(join(outDir, "index.html"), "utf8");
    for (const file of [...files, ...cssOf(files)]) expect(html).toContain(`/${file}`);
  });

  it("keeps the patient's page free of the call screen, the doctor's screens and the charts", () => {
    const patientHome = chunkOf("src/app/routes/patient-home.tsx");
    expect(patientHome, "patient-home is its own chunk").toBeDefined();
    const modules = modulesOf(staticClosure(patientHome as string));
    for (const excluded of lazyModules.filter((m) => !m.includes("patient-home"))) {
      expect(
        modules.filter((id) => id.includes(excluded)),
        `${excluded} loads with the patient's page`,
      ).toEqual([]);
    }
  });

  it("gives the call screen its own chunk (preloaded once a call is due: lazy-routes.test.tsx)", () => {
    expect(chunkOf("src/app/routes/session-call.tsx")).toBeDefined();
  });

  it("writes a brotli and a gzip copy of every text file worth compressing", () => {
    // Under 1 KiB a compressed copy may not be smaller, and then none is written.
    for (const chunk of [...chunks.values()].filter((c) => statSync(join(outDir, c.fileName)).size >= 1024)) {
      expect(existsSync(join(outDir, `${chunk.fileName}.br`)), chunk.fileName).toBe(true);
      expect(existsSync(join(outDir, `${chunk.fileName}.gz`)), chunk.fileName).toBe(true);
    }
    expect(existsSync(join(outDir, "index.html.br"))).toBe(true);
  });
});
