import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** .env.example keeps in step with the README's configuration table, with placeholders only. */
const read = (path: string) => readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), "utf8");
const readme = read("README.md");
const example = read(".env.example");

/** The variables of the README's configuration table: first column, `A` or `A` / `B`. */
function tableVariables(): string[] {
  const section = readme.slice(readme.indexOf("\n## Configuration\n"));
  const end = section.indexOf("\n## ", 1);
  const rows = (end > 0 ? section.slice(0, end) : section).split("\n").filter((line) => line.startsWith("| `"));
  return rows.flatMap((row) => [...(row.split("|")[1] ?? "").matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? ""));
}

/** NAME → value for `NAME=value` and `# NAME=value` lines. */
function exampleEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of example.split("\n")) {
    const m = /^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1]) entries.set(m[1], m[2] ?? "");
  }
  return entries;
}

describe(".env.example", () => {
  it("names every variable of the README's configuration table", () => {
    const variables = tableVariables();
    expect(variables.length).toBeGreaterThan(10);
    const entries = exampleEntries();
    expect(variables.filter((name) => !entries.has(name))).toEqual([]);
  });

  it("holds no secret: passwords are change-me and the encryption key is left empty", () => {
    const entries = exampleEntries();
    expect(entries.get("AUTH_KEY_ENCRYPTION_KEY")).toBe("");
    for (const [name, value] of entries) {
      const password = /^[a-z]+:\/\/[^:/@]+:([^@]*)@/.exec(value)?.[1];
      if (password !== undefined) expect(password, name).toBe("change-me");
    }
  });
});
