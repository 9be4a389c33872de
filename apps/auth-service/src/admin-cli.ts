// `npm run admin -- <command>`: the auth service's operator commands (see admin/admin.ts).
import { runAdmin } from "./admin/admin.ts";
import { listSigningKeysCommand, rotateSigningKeyCommand } from "./keys/keys.commands.ts";
import { createUserCommand } from "./users/users.commands.ts";

const commands = [createUserCommand, rotateSigningKeyCommand, listSigningKeysCommand];

process.exitCode = await runAdmin(commands, process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
