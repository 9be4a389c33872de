import { parseArgs } from "node:util";
import { type Role, singleLineTextPattern } from "@clinic/contracts";
import { type AdminCommand, describeDatabase, UsageError, withAuthDatabase } from "../admin/admin.ts";
import { loadAuthConfig } from "../config.ts";
import { EmailTaken } from "../errors.ts";
import type { Actor } from "./user-access.ts";
import { clinicExists, findUserByEmail, insertClinicIfMissing } from "./users.repository.ts";
import { createUsersService } from "./users.service.ts";

const roles: readonly Role[] = ["ADMIN", "DOCTOR", "PATIENT"];
const singleLine = new RegExp(singleLineTextPattern);
// The shape the HTTP route's schema (format "email") accepts, close enough for an operator's typing.
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The value of a required option, checked: no control characters, not blank, bounded. */
function text(value: string | undefined, option: string, maxLength: number): string {
  const trimmed = value?.trim();
  if (!trimmed) throw new UsageError(`--${option} is required`);
  if (trimmed.length > maxLength || !singleLine.test(trimmed))
    throw new UsageError(`--${option} must be at most ${maxLength} characters, without control characters`);
  return trimmed;
}

export const createUserCommand: AdminCommand = {
  name: "create-user",
  summary: "Create a person (e.g. a new clinic's first admin) and print their set-password link",
  usage: [
    'Usage: npm run admin -- create-user --clinic <clinic_id> [--clinic-name "<name>"]',
    '         --role ADMIN|DOCTOR|PATIENT --name "<name>" --email <email> [--schema <name>]',
    "",
    "Creates the person in the clinic, without a password, and prints a one-time link",
    "(<PUBLIC_WEB_URL>/set-password#<token>, valid PASSWORD_LINK_TTL_HOURS) for them to choose one.",
    "A clinic that does not exist yet is created when --clinic-name is given. Audited as actor",
    "`cli` (role OPERATOR). After the first admin, people are managed in the web app's People page.",
    "",
    "Options:",
    "  --clinic <id>          the clinic's id (letters, digits, - and _; e.g. clinic-berlin)",
    "  --clinic-name <name>   the clinic's name, to create it when it does not exist",
    "  --role <role>          ADMIN, DOCTOR or PATIENT",
    "  --name <name>          the person's full name",
    "  --email <email>        their email address (their login); must not be in use",
    "  --schema <name>        PostgreSQL schema of the auth tables (the all-in-one stack on PostgreSQL: auth_service)",
  ].join("\n"),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        clinic: { type: "string" },
        "clinic-name": { type: "string" },
        role: { type: "string" },
        name: { type: "string" },
        email: { type: "string" },
        schema: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    });
    const clinicId = text(values.clinic, "clinic", 64);
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(clinicId))
      throw new UsageError("--clinic must be letters, digits, - and _ (e.g. clinic-berlin)");
    const clinicName =
      values["clinic-name"] === undefined ? undefined : text(values["clinic-name"], "clinic-name", 200);
    const role = values.role?.toUpperCase() as Role | undefined;
    if (!role || !roles.includes(role)) throw new UsageError("--role must be ADMIN, DOCTOR or PATIENT");
    const name = text(values.name, "name", 200);
    const email = text(values.email, "email", 254);
    if (!emailShape.test(email)) throw new UsageError("--email is not an email address");

    const config = loadAuthConfig(io.env);
    const where = describeDatabase(config, values.schema);
    const outcome = await withAuthDatabase(config, values.schema, async (database) => {
      // Checked before the clinic is created, so a refusal leaves nothing behind.
      if (await findUserByEmail(database.db, email)) return "email-taken" as const;
      const existed = await clinicExists(database.db, clinicId);
      if (!existed) {
        if (!clinicName) return "no-clinic" as const;
        await insertClinicIfMissing(database.db, { id: clinicId, name: clinicName });
      }
      const users = createUsersService({
        db: database.db,
        publicWebUrl: config.PUBLIC_WEB_URL,
        linkTtlHours: config.PASSWORD_LINK_TTL_HOURS,
        now: () => new Date(),
      });
      const actor: Actor = { user: { id: "cli", role: "OPERATOR", clinic_id: clinicId }, requestId: null };
      try {
        return { existed, created: await users.create(actor, { role, name, email }) };
      } catch (err) {
        if (err instanceof EmailTaken) return "email-taken" as const;
        throw err;
      }
    });
    if (outcome === "email-taken") {
      io.err("create-user: another account already uses this email address; nothing was created");
      return 1;
    }
    if (outcome === "no-clinic") {
      io.err(`create-user: clinic ${clinicId} does not exist; give --clinic-name "<name>" to create it`);
      return 1;
    }
    const { user, password_link } = outcome.created;
    io.out(
      `Created ${user.role} ${user.id} in clinic ${clinicId}${outcome.existed ? "" : " (new clinic)"} (${where}).`,
    );
    io.out(`Set-password link, valid until ${password_link.expires_at}, once:`);
    io.out(`  ${password_link.url}`);
    io.out("Hand it to the person over a channel you trust; anyone holding it can set the password.");
    return 0;
  },
};
