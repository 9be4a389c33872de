#!/usr/bin/env node
// `node ../../scripts/copy-assets.mjs <dir>...` from a workspace (its `build` script): copies
// src/<dir> to dist/<dir>, files the compiled code reads at run time next to itself (SQL
// migrations: `new URL("./migrations", import.meta.url)` works from src/ and dist/ alike).
// The target is replaced, so a migration removed from src/ does not linger in dist/.
import { cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write("copy-assets: name the directories under src/ to copy\n");
  process.exit(1);
}
for (const dir of dirs) {
  const from = join("src", dir);
  if (!existsSync(from)) {
    process.stderr.write(`copy-assets: ${join(process.cwd(), from)} does not exist\n`);
    process.exit(1);
  }
  const to = join("dist", dir);
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}
