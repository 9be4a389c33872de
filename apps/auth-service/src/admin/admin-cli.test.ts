import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { App } from "@clinic/platform";
import type { JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app.ts";
import { loadAuthConfig } from "../config.ts";
import { decryptPrivateJwk, parseKeyEncryptionKey } from "../keys/key-encryption.ts";
import { keyStore, newEncryptionKey } from "../keys/key-store.testing.ts";
import { createUserCommand } from "../users/users.commands.ts";
import { runAdmin } from "./admin.ts";

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

describe("admin CLI create-user: the first admin of a new clinic", { timeout: 120_000 }, () => {
  const store = keyStore("auth-cli-users");
  const env = () => ({ ...store.childEnv(), PUBLIC_WEB_URL: "https://clinic.example" });
  const first = { name: "Frieda First", email: "frieda@new-clinic.test" };
  let link = "";

  afterAll(() => store.drop());

  it("refuses bad arguments in one clear line each, changing nothing", async () => {
    const cases: [string[], RegExp][] = [
      [["--clinic", "c1", "--role", "ADMIN", "--name", "A B"], /--email is required/],
      [
        ["--clinic", "c1", "--role", "NURSE", "--name", "A B", "--email", "a@b.test"],
        /--role must be ADMIN, DOCTOR or PATIENT/,
      ],
      [["--clinic", "c 1", "--role", "ADMIN", "--name", "A B", "--email", "a@b.test"], /--clinic must be letters/],
      [["--clinic", "c1", "--role", "ADMIN", "--name", "A B", "--email", "nope"], /--email is not an email address/],
      [
        ["--clinic", "c1", "--role", "ADMIN", "--name", "A B", "--email", "a@b.test", "--bogus"],
        /Unknown option '--bogus'/,
      ],
    ];
    // In process (the same dispatcher the entry runs): a Node process per case is slow.
    const inProcess = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runAdmin([createUserCommand], args, {
        env: { LOG_LEVEL: "silent", ...env() },
        out: (line) => out.push(line),
        err: (line) => err.push(line),
      });
      return { code, stdout: out.join("\n"), stderr: err.join("\n") };
    };
    for (const [args, message] of cases) {
      const res = await inProcess(["create-user", ...args, ...store.schemaArgs()]);
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr.split("\n")[0]).toMatch(message);
      expect(res.stdout).toBe("");
    }
    // A clinic that does not exist needs its name.
    const noName = await inProcess([
      "create-user",
      "--clinic",
      "clinic-new",
      "--role",
      "ADMIN",
      "--name",
      first.name,
      "--email",
      first.email,
      ...store.schemaArgs(),
    ]);
    expect(noName.code).toBe(1);
    expect(noName.stderr.trim()).toBe(
      'create-user: clinic clinic-new does not exist; give --clinic-name "<name>" to create it',
    );
    const users = await store.withDatabase((d) => d.db.selectFrom("users").select("id").execute());
    expect(users).toEqual([]);
  });

  it("creates the clinic and its admin, prints the link once, and audits as the operator", async () => {
    const res = await admin(
      [
        "create-user",
        "--clinic",
        "clinic-new",
        "--clinic-name",
        "New Clinic",
        "--role",
        "ADMIN",
        "--name",
        first.name,
        "--email",
        first.email,
        ...store.schemaArgs(),
      ],
      env(),
    );
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Created ADMIN \S+ in clinic clinic-new \(new clinic\)/);
    link = res.stdout.match(/https:\/\/clinic\.example\/set-password#[A-Za-z0-9_-]{43}/)?.[0] ?? "";
    expect(link).not.toBe("");
    expect(res.stdout).toMatch(/valid until \d{4}-\d\d-\d\dT/);
    const { clinics, users, audit } = await store.withDatabase(async (d) => ({
      clinics: await d.db.selectFrom("clinics").selectAll().execute(),
      users: await d.db.selectFrom("users").selectAll().execute(),
      audit: await d.db.selectFrom("user_audit").selectAll().execute(),
    }));
    expect(clinics.map((c) => [c.id, c.name])).toEqual([["clinic-new", "New Clinic"]]);
    expect(users).toMatchObject([{ role: "ADMIN", email: first.email, clinic_id: "clinic-new", password_hash: null }]);
    expect(audit).toMatchObject([
      {
        actor_id: "cli",
        actor_role: "OPERATOR",
        clinic_id: "clinic-new",
        action: "CREATE",
        outcome: "ALLOWED",
        target_user_id: users[0]?.id,
      },
    ]);
  });

  it("refuses an email already in use, whatever its case", async () => {
    const res = await admin(
      [
        "create-user",
        "--clinic",
        "clinic-new",
        "--role",
        "DOCTOR",
        "--name",
        "Another",
        "--email",
        first.email.toUpperCase(),
        ...store.schemaArgs(),
      ],
      env(),
    );
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe("create-user: another account already uses this email address; nothing was created");
  });

  it("the link sets the admin's password on the running service, who then manages the clinic's people", async () => {
    const app = await buildApp({
      config: loadAuthConfig({ SEED_DEMO: "0", LOG_LEVEL: "silent" }),
      database: store.options,
    });
    try {
      const token = link.split("#")[1];
      const set = await app.inject({
        method: "POST",
        url: "/api/auth/password",
        payload: { token, password: "first admin password" },
      });
      expect(set.statusCode).toBe(204);
      const signedIn = await app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { email: first.email, password: "first admin password" },
      });
      expect(signedIn.statusCode).toBe(200);
      const { access_token } = signedIn.json<{ access_token: string }>();
      const created = await app.inject({
        method: "POST",
        url: "/api/auth/users",
        headers: { authorization: `Bearer ${access_token}` },
        payload: { role: "DOCTOR", name: "Dr. Second", email: "second@new-clinic.test" },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ user: { clinic_id: "clinic-new", role: "DOCTOR" } });
    } finally {
      await app.close();
    }
  });
});
