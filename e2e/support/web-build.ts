import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Newest modification time under `dir` (bounded walk; skips dependencies and build output). */
function newest(dir: string, depth = 0, budget = { files: 20_000 }): number {
  if (depth > 12 || !existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (budget.files-- <= 0) break;
    if (["node_modules", "dist", ".vite", "coverage"].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path, depth + 1, budget) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * The gateway serves apps/web/dist: build it, as `npm start` does, when it is missing or
 * older than the web app's sources or the shared contracts it compiles in.
 */
export async function ensureWebBuild(): Promise<void> {
  const index = join(root, "apps", "web", "dist", "index.html");
  const sources = Math.max(newest(join(root, "apps", "web")), newest(join(root, "packages", "contracts", "src")));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  await new Promise<void>((resolve, reject) => {
    const child = spawn("npm", ["run", "build", "-w", "@clinic/web"], {
      cwd: root,
      // Vitest sets NODE_ENV=test, which Vite would honour with React's development build: the
      // browser tests (and an `npm start` after them) must get the build users get.
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let errors = "";
    child.stderr.on("data", (chunk) => {
      errors = (errors + String(chunk)).slice(-4000);
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), 150_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`npm run build -w @clinic/web exited with ${code}:\n${errors}`));
    });
  });
}
