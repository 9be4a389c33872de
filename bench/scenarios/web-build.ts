import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../lib/paths.ts";

/** The built web app the gateway serves; built once (as `npm start` would) when missing. */
export async function ensureWebBuild(): Promise<{ dir: string; built: boolean; seconds: number }> {
  const dir = process.env.WEB_DIST_DIR ?? join(repoRoot, "apps", "web", "dist");
  if (existsSync(join(dir, "index.html")) && statSync(join(dir, "index.html")).size > 0) {
    return { dir, built: false, seconds: 0 };
  }
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn("npm", ["run", "build", "-w", "@clinic/web"], { cwd: repoRoot, stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGTERM"), 300_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      code === 0 ? resolve() : reject(new Error(`web build exited with ${code}`));
    });
  });
  return { dir, built: true, seconds: Math.round((performance.now() - started) / 100) / 10 };
}
