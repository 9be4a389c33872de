// The embedded stack as plain JavaScript for `npm start`: its TypeScript sources (the
// workspaces', through their "@clinic/source" export condition) bundled by esbuild into
// node_modules/.cache/clinic-stack/, rebuilt when any of them is newer than the bundle. Run
// with plain Node, the stack has no tsx in it: no loader thread, no esbuild service process,
// no source maps of every module kept in memory (~30–45 MiB resident, bench/README.md).
// Packages from node_modules stay separate modules (each imported by its absolute path, as
// the source importing it would resolve it); `import.meta.url` in a source is that source's
// own URL, so files read beside it (SQL migrations, LICENSE) are found as under tsx.
//
// This module imports only node:fs/path/url: start.mjs stays beside the stack for as long as
// it runs, and loads esbuild only in the short-lived `node scripts/stack-bundle.mjs`.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = fileURLToPath(import.meta.url);
const repoRoot = join(dirname(here), "..");

/** Where the stack's bundle goes, and what it is built from (tests pass their own). */
export function stackBundleLayout(root = repoRoot) {
  const outDir = join(root, "node_modules", ".cache", "clinic-stack");
  return { root, entry: join(root, "apps", "stack", "src", "main.ts"), outDir, main: join(outDir, "main.mjs") };
}

/** What an install changes: the lockfiles (each exists after `npm install`/`npm ci`). */
function installRecords(layout) {
  return [join(layout.root, "package-lock.json"), join(layout.root, "node_modules", ".package-lock.json")].filter(
    (file) => existsSync(file),
  );
}

function manifestPath(layout) {
  return join(layout.outDir, "inputs.json");
}

/**
 * Whether the bundle is there and no file it was built from (nor this script) changed or went
 * away since. New files only matter once a source imports them, and that source is then newer.
 */
export function stackBundleIsFresh(layout = stackBundleLayout()) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath(layout), "utf8"));
  } catch {
    return false;
  }
  if (!existsSync(layout.main) || !Array.isArray(manifest.inputs)) return false;
  // A bundle made in another checkout (a copied folder) points at that checkout's files.
  if (manifest.root !== layout.root) return false;
  const built = manifest.builtAt;
  // Any `npm install`/`npm ci` rewrites node_modules/.package-lock.json: packages the bundle
  // imports by path may have moved or changed, so it is rebuilt.
  for (const input of [...manifest.inputs, ...installRecords(layout), here]) {
    try {
      if (statSync(input).mtimeMs > built) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Bundles the stack (esbuild, from tsx's own dependency: tsx is what ran these sources before). */
export async function buildStackBundle(layout = stackBundleLayout()) {
  const esbuild = createRequire(createRequire(join(repoRoot, "package.json")).resolve("tsx"))("esbuild");
  const staging = `${layout.outDir}.${process.pid}.tmp`;
  const startedAt = Date.now();
  const result = await esbuild.build({
    absWorkingDir: layout.root,
    entryPoints: { main: layout.entry },
    bundle: true,
    // Chunks: the entry's dynamic imports stay dynamic (main.ts starts tracing before the
    // modules it instruments load; code a service loads only when configured stays unloaded).
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir: staging,
    outExtension: { ".js": ".mjs" },
    conditions: ["@clinic/source"],
    // For NODE_OPTIONS=--enable-source-maps when a stack trace must point into the sources.
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
    // Function and class names as in the sources (logs, stack traces).
    keepNames: true,
    plugins: [
      {
        name: "clinic-stack",
        setup(build) {
          // Packages stay outside the bundle, imported by the path the importing source resolves.
          build.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.pluginData?.resolving || args.path.startsWith("@clinic/") || args.path.startsWith("node:")) {
              return undefined;
            }
            const resolved = await build.resolve(args.path, {
              kind: args.kind,
              importer: args.importer,
              resolveDir: args.resolveDir,
              pluginData: { resolving: true },
            });
            if (resolved.errors.length > 0) return { errors: resolved.errors };
            if (resolved.external || !resolved.path.includes("node_modules")) return resolved;
            return { path: pathToFileURL(resolved.path).href, external: true };
          });
          build.onLoad({ filter: /\.(ts|mts|tsx)$/ }, (args) => {
            if (args.path.includes("/node_modules/")) return undefined;
            const url = JSON.stringify(pathToFileURL(args.path).href);
            const contents = readFileSync(args.path, "utf8")
              .replaceAll("import.meta.url", url)
              .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)))
              .replaceAll("import.meta.filename", JSON.stringify(args.path));
            return { contents, loader: args.path.endsWith(".tsx") ? "tsx" : "ts" };
          });
        },
      },
    ],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => join(layout.root, input))
    .filter((input) => !input.includes("node_modules"));
  // Everything is written aside first, then put in place at once: a second `npm start` at the
  // same moment finds the old bundle or the new one, never half of one.
  writeFileSync(
    join(staging, "inputs.json"),
    JSON.stringify({ builtAt: startedAt, root: layout.root, inputs }, null, 1),
  );
  mkdirSync(dirname(layout.outDir), { recursive: true });
  const old = `${layout.outDir}.${process.pid}.old`;
  if (existsSync(layout.outDir)) renameSync(layout.outDir, old);
  renameSync(staging, layout.outDir);
  if (existsSync(old)) rmSync(old, { recursive: true, force: true });
  return { inputs: inputs.length, ms: Date.now() - startedAt };
}

/** `node scripts/stack-bundle.mjs`: build; exit 1 (with esbuild's messages) when it cannot. */
if (process.argv[1] && fileURLToPath(pathToFileURL(process.argv[1])) === here) {
  try {
    const { inputs, ms } = await buildStackBundle();
    process.stdout.write(`Bundled the stack (${inputs} sources, ${ms} ms)\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
