import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * Docker does not run on the development machine, so the image is checked by reading
 * deploy/Dockerfile: what it copies exists and matches the workspaces, the runtime stage holds
 * production dependencies and compiled JavaScript only, as a non-root user with a liveness
 * health check. scripts/build.test.ts proves that `node dist/server.js` runs.
 */
const root = fileURLToPath(new URL("../", import.meta.url));
const dockerfile = readFileSync(join(root, "deploy", "Dockerfile"), "utf8");
// Instructions with their continuation lines joined, comments dropped.
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"));
const stages = new Map<string, string[]>();
let current: string[] = [];
for (const line of instructions) {
  const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
  if (from?.[1]) {
    current = [];
    stages.set(from[1], current);
  }
  current.push(line);
}
const build = stages.get("build") ?? [];
const runtime = stages.get("runtime") ?? [];

const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  workspaces: string[];
  engines: { node: string };
};
const workspaces = rootPackage.workspaces.flatMap((pattern) => {
  const parent = pattern.replace(/\/\*$/, "");
  return readdirSync(join(root, parent))
    .map((name) => `${parent}/${name}`)
    .filter((dir) => existsSync(join(root, dir, "package.json")));
});
const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as {
    name: string;
    scripts?: Record<string, string>;
  };
// The back end: every workspace compiled by tsc (the web app is built by Vite).
const compiled = workspaces.filter((dir) => manifest(dir).scripts?.build?.startsWith("tsc"));
const copies = (stage: string[]) =>
  stage.filter((line) => /^COPY\s/i.test(line)).map((line) => line.split(/\s+/).filter((w) => !w.startsWith("--")));

describe("deploy/Dockerfile", () => {
  it("has a build and a runtime stage on a supported Node LTS (22 or 24)", () => {
    expect(build.length).toBeGreaterThan(0);
    expect(runtime.length).toBeGreaterThan(0);
    const image = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(dockerfile);
    expect(image?.[1]).toMatch(/^(22|24)$/);
    // Both stages on the one image named by NODE_IMAGE.
    const froms = instructions.filter((l) => /^FROM /.test(l)).map((l) => l.split(/\s+/).slice(1));
    expect(froms).toEqual([
      ["$" + "{NODE_IMAGE}", "AS", "build"],
      ["$" + "{NODE_IMAGE}", "AS", "runtime"],
    ]);
  });

  it("gives npm ci every workspace manifest in both stages (the lock file names them all)", () => {
    for (const stage of [build, runtime]) {
      const copied = copies(stage).map((words) => words.slice(1, -1).join(" "));
      expect(copied).toContain("package.json package-lock.json");
      for (const dir of workspaces) expect(copied).toContain(`${dir}/package.json`);
    }
  });

  it("copies only files that exist into the build stage", () => {
    for (const words of copies(build)) {
      for (const source of words.slice(1, -1)) expect(existsSync(join(root, source)), source).toBe(true);
    }
  });

  it("builds with every dependency, then installs production dependencies of the back end only", () => {
    expect(build).toContain("RUN npm ci --no-audit --no-fund");
    expect(build.some((l) => /^RUN NODE_ENV=production npm run build\b/.test(l))).toBe(true);
    const install = runtime.find((l) => /^RUN npm ci /.test(l)) ?? "";
    expect(install).toMatch(/--omit=dev/);
    expect(install).toMatch(/--ignore-scripts/);
    const selected = [...install.matchAll(/-w (\S+)/g)].map((m) => m[1]);
    const apps = compiled.filter((dir) => dir.startsWith("apps/")).map((dir) => manifest(dir).name);
    expect(selected.sort()).toEqual(apps.sort());
  });

  it("ships each compiled workspace's dist/, the web build and the LICENSE, never sources or tsx", () => {
    const fromBuild = runtime.filter((l) => /^COPY --from=build /.test(l)).map((l) => l.split(/\s+/)[2]);
    for (const dir of [...compiled, "apps/web"]) expect(fromBuild).toContain(`/app/${dir}/dist`);
    expect(copies(runtime)).toContainEqual(["COPY", "LICENSE", "./"]);
    expect(runtime.join("\n")).not.toMatch(/\btsx\b|\/src\/|\.ts\b/);
  });

  it("runs as a non-root user, checks /livez and starts dist/server.js picked by SERVICE", () => {
    const users = runtime.filter((l) => /^USER /.test(l));
    expect(users).toEqual(["USER node"]);
    const health = runtime.find((l) => /^HEALTHCHECK /.test(l)) ?? "";
    expect(health).toMatch(/\/livez/);
    // Exec form: ["sh", "-c", script]; the script execs node, so node gets SIGTERM.
    const cmd = JSON.parse((runtime.find((l) => /^CMD /.test(l)) ?? "CMD []").slice(4)) as string[];
    expect(cmd.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(cmd[2]).toMatch(/exec node [^;]*"apps\/\$SERVICE\/dist\/server\.js"/);
    expect(cmd[2]).toMatch(/exec node [^;]*apps\/stack\/dist\/main\.js/);
    for (const dir of compiled.filter((d) => d.startsWith("apps/") && d !== "apps/stack")) {
      expect(manifest(dir).scripts?.["start:dist"], dir).toBe("node dist/server.js");
    }
  });

  it("keeps node_modules, builds, data, secrets and git out of the build context", () => {
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["**/node_modules", "**/dist", "**/.data", ".git", ".env", "bench/results"]) {
      expect(ignored).toContain(entry);
    }
  });

  it("runs on a Node the root package's engines accept, and so do the deploy examples", () => {
    // engines names the supported LTS lines; development on Node 20.19+ only gets npm's warning.
    expect(rootPackage.engines.node).toMatch(/\b22\b/);
    expect(rootPackage.engines.node).toMatch(/\b24\b/);
    const require = createRequire(import.meta.url);
    const pm2 = require(join(root, "deploy", "pm2.config.cjs")) as {
      apps: { script: string; interpreter_args?: string }[];
    };
    for (const app of pm2.apps) {
      expect(app.script).toMatch(/^apps\/[a-z-]+\/dist\/server\.js$/);
      expect(app.interpreter_args ?? "").not.toMatch(/tsx/);
    }
    expect(readFileSync(join(root, "deploy", "docker-compose.yml"), "utf8")).not.toMatch(/\btsx\b/);
  });

  it("has every service behind the gateway trust the hop in front of it, so per-address limits count browsers", () => {
    // Without TRUST_PROXY a service sees every browser as the gateway's address: one shared
    // login rate limit and one shared signalling connect limit for the whole clinic.
    const compose = parse(readFileSync(join(root, "deploy", "docker-compose.yml"), "utf8"), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    for (const name of ["auth-service", "appointments-service", "video-service-1", "video-service-2"]) {
      expect(compose.services[name]?.environment?.TRUST_PROXY, name).toMatch(/^[0-9a-f.:/, ]+$/);
    }
    // The compose gateway is published directly: it must not believe a client's X-Forwarded-For.
    expect(compose.services.gateway?.environment?.TRUST_PROXY).toBeUndefined();
    const require = createRequire(import.meta.url);
    const pm2 = require(join(root, "deploy", "pm2.config.cjs")) as {
      apps: { name: string; env: Record<string, string | undefined> }[];
    };
    for (const app of pm2.apps) expect(app.env.TRUST_PROXY, app.name).toBe("127.0.0.1");
  });
});
