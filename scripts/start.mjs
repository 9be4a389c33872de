// `npm start`: build the web app when its build is missing or stale, then run the whole
// back end in one Node process (apps/stack/src/main.ts) and hand it Ctrl-C / SIGTERM.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stackBundleIsFresh, stackBundleLayout } from "./stack-bundle.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "apps", "web");
const builtIndex = join(process.env.WEB_DIST_DIR ?? join(web, "dist"), "index.html");

/** Newest modification time among the web app's sources (bounded walk, skips node_modules/dist). */
function newestSource(dir, depth = 0, budget = { files: 20_000 }) {
  let newest = 0;
  if (depth > 12 || !existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (budget.files-- <= 0) break;
    if (["node_modules", "dist", ".vite", "coverage"].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path, depth + 1, budget) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildWebIfStale(beforeBuild) {
  if (process.env.WEB_DIST_DIR) return; // someone else builds it
  const pkg = JSON.parse(readFileSync(join(web, "package.json"), "utf8"));
  if (!pkg.scripts?.build || !existsSync(join(web, "index.html"))) {
    process.stdout.write("note: the web app has no build yet (apps/web); starting the APIs only.\n");
    return;
  }
  const built = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
  if (built >= newestSource(web)) return;
  beforeBuild();
  process.stdout.write(built ? "Web app sources changed; rebuilding…\n" : "Building the web app (first run)…\n");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // Always the production build: a NODE_ENV=development (or test) left in the shell would make
  // Vite bundle React's development build, several times larger and slower.
  const result = spawnSync(npm, ["run", "build", "-w", "@clinic/web"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) {
    process.stdout.write(
      "note: the web app did not build (see above); starting the APIs, / will say the web app is not built.\n",
    );
  }
}

// NODE_ENV=production without DATABASE_URL (or with SEED_DEMO=1): refused as the stack
// would refuse it, but before minutes of web build. The rules: packages/platform/src/config.ts.
// Checked in a short-lived process: this one stays beside the stack for as long as it runs,
// and loading TypeScript here (tsx, esbuild) would keep ~80 MiB resident for nothing. Without
// a build to do, the stack itself refuses with the same line at once.
function refuseBeforeBuild() {
  const check = `
    const { ConfigError, demoSeedProblems, requireProductionDatabase } = await import("./packages/platform/src/config.ts");
    try {
      requireProductionDatabase(process.env);
      const problems = demoSeedProblems(process.env);
      if (problems.length > 0) throw new ConfigError(problems);
    } catch (err) {
      process.stderr.write(err.message + "\\n");
      process.exit(1);
    }`;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", check], {
    cwd: root,
    stdio: "inherit",
    env: process.env,
  });
  if (result.status !== 0) process.exit(1);
}

buildWebIfStale(refuseBeforeBuild);

// The workspaces' TypeScript sources (their "@clinic/source" export condition), bundled into
// plain JavaScript when any changed (scripts/stack-bundle.mjs, ~1–3 s, in a short-lived process
// so that esbuild does not stay resident here): without tsx the stack keeps ~30–45 MiB less.
// Should the bundle not build, through tsx as before. Production runs the compiled dist/
// instead (README, "Production build").
function stackCommand() {
  const layout = stackBundleLayout(root);
  if (!stackBundleIsFresh(layout)) {
    const built = spawnSync(process.execPath, [join(root, "scripts", "stack-bundle.mjs")], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: process.env,
    });
    if (built.status !== 0) {
      process.stdout.write("note: the stack did not bundle (see above); running its sources through tsx.\n");
      return ["--conditions=@clinic/source", "--import", "tsx", join(root, "apps", "stack", "src", "main.ts")];
    }
  }
  return [layout.main];
}

const child = spawn(process.execPath, stackCommand(), {
  cwd: root,
  stdio: "inherit",
  env: process.env,
});
// Ctrl-C in a terminal reaches both processes; a signal sent to this one alone is passed on.
// The stack ignores repeats while it is stopping.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
