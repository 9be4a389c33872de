import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { App } from "@clinic/platform";
import type { JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app.ts";
import { loadAuthConfig } from "../config.ts";
import { decryptPrivateJwk, parseKeyEncryptionKey } from "../keys/key-encryption.ts";
import { keyStore, newEncryptionKey } from "../keys/key-store.testing.ts";

const entry = fileURLToPath(new URL("../admin-cli.ts", import.meta.url));
const root = fileURLToPath(new URL("../../../../", import.meta.url));

/** Runs `npm run admin -- …` as the operator would (the same entry, without npm's banner). */
function admin(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@clinic/source", "--import", "tsx", entry, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    // Bounded: a CLI that hangs fails the test instead of holding the run.
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Each CLI run is a Node process of its own.
describe("admin CLI", { timeout: 120_000 }, () => {
  it("lists its commands with --help, and each command has its own --help", async () => {
    const help = await admin(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("rotate-signing-key");
    expect(help.stdout).toContain("list-signing-keys");
    const rotateHelp = await admin(["rotate-signing-key", "--help"], {});
    expect(rotateHelp.code).toBe(0);
    expect(rotateHelp.stdout).toContain("--immediate");
    const unknown = await admin(["make-coffee"], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command: make-coffee");
  });

  it("refuses in production without AUTH_KEY_ENCRYPTION_KEY, in one line naming it", async () => {
    const res = await admin(["rotate-signing-key"], { NODE_ENV: "production", DATA_DIR: "/nonexistent" });
    expect(res.code).toBe(1);
    const problems = res.stderr.split("\n").filter((l) => l.startsWith("  - "));
    expect(problems).toEqual([
      expect.stringMatching(/^ {2}- AUTH_KEY_ENCRYPTION_KEY: is required when NODE_ENV=production/),
    ]);
  });
});

describe("admin CLI rotate-signing-key on the service's database", { timeout: 120_000 }, () => {
  const store = keyStore("auth-cli");
  const encryptionKey = newEncryptionKey();
  const env = () => ({ ...store.childEnv(), AUTH_KEY_ENCRYPTION_KEY: encryptionKey });
  let firstKid: string;

  const withApp = async <T>(fn: (app: App) => Promise<T>) => {
    const app = await buildApp({
      config: loadAuthConfig({ SEED_DEMO: "0", LOG_LEVEL: "silent", AUTH_KEY_ENCRYPTION_KEY: encryptionKey }),
      database: store.options,
    });
    try {
      return await fn(app);
    } finally {
      await app.close();
    }
  };
  const jwksKids = (app: App) =>
    app
      .inject({ method: "GET", url: "/api/auth/.well-known/jwks.json" })
      .then((r) => r.json<JSONWebKeySet>().keys.map((k) => k.kid));

  beforeAll(async () => {
    // The service ran once: its first key exists (PGlite: the CLI opens the files after it stopped).
    [firstKid = ""] = await withApp(jwksKids);
  });
  afterAll(() => store.drop());

  it("creates a new key, says what it did, and prints no key material", async () => {
    const res = await admin(["rotate-signing-key", ...store.schemaArgs()], env());
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const rows = await store.rows();
    expect(rows).toHaveLength(2);
    const created = rows.find((r) => r.kid !== firstKid);
    expect(res.stdout).toContain(`new key       ${created?.kid}`);
    expect(res.stdout).toContain(`previous key  ${firstKid}`);
    expect(res.stdout).toContain("encrypted with AUTH_KEY_ENCRYPTION_KEY");
    // Stored encrypted; its private member appears nowhere in the output.
    expect(created?.private_jwk).toBeNull();
    const jwk = await decryptPrivateJwk(
      created?.private_jwk_encrypted ?? "",
      created?.kid ?? "",
      parseKeyEncryptionKey(encryptionKey) as Uint8Array,
    );
    const output = res.stdout + res.stderr;
    for (const secret of [jwk.d ?? "missing", encryptionKey, created?.private_jwk_encrypted ?? "missing", '"d"']) {
      expect(output).not.toContain(secret);
    }

    // The service publishes both.
    expect(await withApp(jwksKids)).toEqual([created?.kid, firstKid]);
  });

  it("refuses a second rotation while one is under way, and a wrong key, changing nothing", async () => {
    const again = await admin(["rotate-signing-key", ...store.schemaArgs()], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("a rotation is already under way");
    const wrong = await admin(["rotate-signing-key", ...store.schemaArgs()], {
      ...env(),
      AUTH_KEY_ENCRYPTION_KEY: newEncryptionKey(),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("AUTH_KEY_ENCRYPTION_KEY: does not decrypt the stored signing key");
    expect(await store.rows()).toHaveLength(2);
  });

  it("lists the keys and their state", async () => {
    const res = await admin(["list-signing-keys", ...store.schemaArgs()], env());
    expect(res.code).toBe(0);
    const lines = res.stdout.split("\n");
    expect(lines.find((l) => l.includes(firstKid))).toMatch(/active .*encrypted/);
    expect(lines.filter((l) => /upcoming/.test(l))).toHaveLength(1);
  });
});
