import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../lib/paths.ts";

/** Newest modification time under `dir` (bounded walk; skips node_modules and build output). */
function newest(dir: string, depth = 0): number {
  if (depth > 10 || !existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true }).slice(0, 5000)) {
    if (["node_modules", "dist", ".vite", "coverage"].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path, depth + 1) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * The built web app the gateway serves, rebuilt (as `npm start` would, but outside any
 * timed figure) when missing or older than its sources or the shared contracts.
 */
export async function ensureWebBuild(): Promise<{ dir: string; built: boolean; seconds: number }> {
  const dir = process.env.WEB_DIST_DIR ?? join(repoRoot, "apps", "web", "dist");
  const index = join(dir, "index.html");
  const sources = Math.max(
    newest(join(repoRoot, "apps", "web")),
    newest(join(repoRoot, "packages", "contracts", "src")),
  );
  if (process.env.WEB_DIST_DIR || (existsSync(index) && statSync(index).mtimeMs >= sources)) {
    return { dir, built: false, seconds: 0 };
  }
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn("npm", ["run", "build", "-w", "@clinic/web"], {
      cwd: repoRoot,
      // A NODE_ENV other than production in the caller's shell would give React's development build.
      env: { ...process.env, NODE_ENV: "production" },
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), 300_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      code === 0 ? resolve() : reject(new Error(`web build exited with ${code}`));
    });
  });
  return { dir, built: true, seconds: Math.round((performance.now() - started) / 100) / 10 };
}
