#!/usr/bin/env node
// `npm run bench [-- --only=<scenario> ...]`: runs the TypeScript bench with tsx, passing
// arguments through. See bench/README.md.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const child = spawn(
  process.execPath,
  // The workspaces' TypeScript sources (their "@clinic/source" export condition), not dist/.
  ["--conditions=@clinic/source", "--import", "tsx", join(root, "bench", "run.ts"), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
    env: process.env,
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
