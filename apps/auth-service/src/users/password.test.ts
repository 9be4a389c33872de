import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password.ts";

// A low cost keeps these fast; the default parameters are exercised by every login test.
const cheap = { log2N: 10, r: 8, p: 1 };

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse battery staple", cheap);
    await expect(verifyPassword("correct horse battery staple", stored)).resolves.toBe(true);
    await expect(verifyPassword("correct horse battery stapl", stored)).resolves.toBe(false);
    await expect(verifyPassword("", stored)).resolves.toBe(false);
  });

  it("stores its parameters and a random salt, never the password", async () => {
    const a = await hashPassword("same password", cheap);
    const b = await hashPassword("same password", cheap);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("same password");
  });

  it("uses N = 2^15 by default", async () => {
    const stored = await hashPassword("pw");
    expect(stored.startsWith("scrypt$15$8$1$")).toBe(true);
    await expect(verifyPassword("pw", stored)).resolves.toBe(true);
  });

  it("treats the same text in another Unicode form as the same password", async () => {
    const stored = await hashPassword("caf\u00e9", cheap);
    await expect(verifyPassword("cafe\u0301", stored)).resolves.toBe(true);
  });

  it.each([
    ["empty", ""],
    ["another scheme", "$2b$10$abcdefghijklmnopqrstuu"],
    ["too few parts", "scrypt$15$8$1$c2FsdHNhbHQ"],
    ["a cost beyond the bounds", "scrypt$30$8$1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a short hash", "scrypt$10$8$1$c2FsdHNhbHRzYWx0$AAAA"],
  ])("refuses (without throwing) a stored hash that is %s", async (_name, stored) => {
    await expect(verifyPassword("anything", stored)).resolves.toBe(false);
  });
});
