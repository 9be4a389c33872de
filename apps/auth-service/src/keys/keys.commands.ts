import { parseArgs } from "node:util";
import { type AdminCommand, describeDatabase, withAuthDatabase } from "../admin/admin.ts";
import { loadAuthConfig } from "../config.ts";
import { parseKeyEncryptionKey } from "./key-encryption.ts";
import { activationDelaySeconds, clockSkewSeconds, keySchedule, overlapSeconds } from "./key-schedule.ts";
import { listAllKeys, listLiveKeys } from "./keys.repository.ts";
import { rotateSigningKey } from "./signing-key.ts";

const schemaOption = {
  schema: { type: "string" },
} as const;

const schemaHelp =
  "  --schema <name>   PostgreSQL schema of the auth tables (the all-in-one stack on PostgreSQL: auth_service)";

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

export const rotateSigningKeyCommand: AdminCommand = {
  name: "rotate-signing-key",
  summary: "Add a new signing key; the old one stays published until its tokens expire",
  usage: [
    "Usage: npm run admin -- rotate-signing-key [--immediate] [--schema <name>]",
    "",
    "Creates a new Ed25519 signing key (encrypted with AUTH_KEY_ENCRYPTION_KEY when set). The",
    `JWKS publishes it at once; the auth service signs new access tokens with it ${activationDelaySeconds} s later,`,
    "when every replica and verifier has seen it. The previous key stays published until every",
    `token it signed has expired (ACCESS_TOKEN_TTL_SEC + ${clockSkewSeconds} s), then the service retires it`,
    "and erases its private half. Live sessions are not interrupted.",
    "",
    "Options:",
    "  --immediate       the old key is compromised: sign with the new key now and stop publishing",
    "                    the old ones now (access tokens they signed stop working; clients refresh)",
    schemaHelp,
  ].join("\n"),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { ...schemaOption, immediate: { type: "boolean", default: false } },
      strict: true,
      allowPositionals: false,
    });
    const config = loadAuthConfig(io.env);
    if (config.AUTH_SIGNING_KEY) {
      io.err(
        "rotate-signing-key: AUTH_SIGNING_KEY is set, so the service signs with that key only and the database keys are not used. Rotate by replacing AUTH_SIGNING_KEY, or unset it to use database keys.",
      );
      return 1;
    }
    const encryptionKey = config.AUTH_KEY_ENCRYPTION_KEY
      ? parseKeyEncryptionKey(config.AUTH_KEY_ENCRYPTION_KEY)
      : undefined;
    const now = new Date();
    const result = await withAuthDatabase(config, values.schema, (database) =>
      rotateSigningKey(database, {
        encryptionKey,
        accessTtlSeconds: config.ACCESS_TOKEN_TTL_SEC,
        now,
        immediate: values.immediate,
      }),
    );
    if (result.kind === "pending") {
      io.err(
        `rotate-signing-key: a rotation is already under way: key ${result.pending.kid} signs from ${iso(result.pending.activates_at)}. Nothing changed (use --immediate to replace it now).`,
      );
      return 1;
    }
    const { created } = result;
    const delay = Math.round((created.activates_at.getTime() - now.getTime()) / 1000);
    io.out(`Rotated the signing key (${describeDatabase(config, values.schema)}).`);
    io.out(
      `  new key       ${created.kid}: published now, signs new access tokens from ${iso(created.activates_at)}${delay > 0 ? ` (in ${delay} s)` : " (now)"}`,
    );
    for (const status of result.schedule) {
      if (status.key.kid === created.kid || !status.retiresAt) continue;
      io.out(
        `  previous key  ${status.key.kid}: signs until ${iso(status.supersededAt ?? now)}, published until ${iso(status.retiresAt)}, then retired by the auth service`,
      );
    }
    for (const kid of result.retired) io.out(`  retired now   ${kid}: no longer published; its private half is erased`);
    for (const kid of result.encrypted) io.out(`  encrypted     ${kid}: was stored in plain text`);
    io.out(
      encryptionKey
        ? "  storage       private key encrypted with AUTH_KEY_ENCRYPTION_KEY"
        : "  storage       private key in PLAIN TEXT: AUTH_KEY_ENCRYPTION_KEY is not set (development only)",
    );
    if (result.retired.length > 0) {
      io.out(
        "  note          other services keep a fetched key set up to 10 minutes: restart them to drop a compromised key at once",
      );
    }
    return 0;
  },
};

export const listSigningKeysCommand: AdminCommand = {
  name: "list-signing-keys",
  summary: "Show the signing keys: which signs, which are still published, which are retired",
  usage: [
    "Usage: npm run admin -- list-signing-keys [--schema <name>]",
    "",
    "One line per key: kid, state (upcoming, active, previous, retired), when it signs from,",
    "when it stops being published, and whether its private half is encrypted. No key material.",
    "",
    "Options:",
    schemaHelp,
  ].join("\n"),
  async run(args, io) {
    const { values } = parseArgs({ args, options: schemaOption, strict: true, allowPositionals: false });
    const config = loadAuthConfig(io.env);
    if (config.AUTH_SIGNING_KEY)
      io.out("note: AUTH_SIGNING_KEY is set; the service signs with it, not with these keys.");
    const now = new Date();
    const { all, live } = await withAuthDatabase(config, values.schema, async (database) => ({
      all: await listAllKeys(database.db),
      live: await listLiveKeys(database.db),
    }));
    const schedule = new Map(
      keySchedule(live, now, overlapSeconds(config.ACCESS_TOKEN_TTL_SEC)).map((s) => [s.key.kid, s]),
    );
    io.out(`Signing keys (${describeDatabase(config, values.schema)}), ${all.length} in all:`);
    for (const key of all) {
      const status = schedule.get(key.kid);
      const state = key.retired_at ? "retired" : (status?.state ?? "retired");
      const until = key.retired_at
        ? `retired ${iso(key.retired_at)}`
        : status?.retiresAt
          ? `published until ${iso(status.retiresAt)}`
          : "published";
      const storage = key.retired_at ? "" : key.private_jwk_encrypted !== null ? ", encrypted" : ", PLAIN TEXT";
      io.out(`  ${key.kid}  ${state.padEnd(8)}  signs from ${iso(key.activates_at)}, ${until}${storage}`);
    }
    return 0;
  },
};
