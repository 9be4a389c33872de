import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The web app with a fake in place of amazon-chime-sdk-js, for the gateway's WEB_DIST_DIR. */
export interface ChimeWebBuild {
  dir: string;
  remove(): Promise<void>;
}

/**
 * A production build of the web app (apps/web/vite.config.ts, as `npm run build` makes it) into a
 * temporary folder, with one difference: a Vite alias resolves `amazon-chime-sdk-js` to
 * `fake-chime-sdk.ts`, so the app's own ChimeCall runs in the browser against a recorded fake
 * meeting session. Built in a child process with NODE_ENV=production (Vitest's NODE_ENV=test
 * would give React's development build). Never written to apps/web/dist.
 */
export async function buildWebWithFakeChime(): Promise<ChimeWebBuild> {
  const dir = await mkdtemp(join(tmpdir(), "clinic-web-fake-chime-"));
  const fake = join(root, "e2e", "support", "fake-chime-sdk.ts");
  const script = `
    import { build } from "vite";
    await build({
      root: process.cwd(),
      configFile: "vite.config.ts",
      mode: "production",
      logLevel: "error",
      resolve: { alias: [{ find: /^amazon-chime-sdk-js$/, replacement: ${JSON.stringify(fake)} }] },
      build: { outDir: ${JSON.stringify(dir)}, emptyOutDir: true },
    });
  `;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: join(root, "apps", "web"),
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let errors = "";
    child.stderr.on("data", (chunk) => {
      errors = (errors + String(chunk)).slice(-4000);
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), 170_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`the web build with the fake Chime SDK exited with ${code}:\n${errors}`));
    });
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
