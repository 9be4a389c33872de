import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, login, type TestApp } from "./test-app.ts";

const secret = "Patient reports chest pain";

/**
 * Login and refresh refuse control characters (nobody types them; a password field cannot
 * hold them) with a 400 in the error shape, and log none of what was sent.
 */
describe("control characters in credentials", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  const values = [`${secret}\u0000`, `${secret}\u0007`];

  it("password, email and refresh token with NUL or BEL → 400 VALIDATION_FAILED", async () => {
    for (const value of values) {
      const password = await login(t.app, "doctor@demo.clinic", value);
      expect(password.statusCode, password.body).toBe(400);
      expect(password.json()).toMatchObject({
        error: "Invalid request body: password may not contain control characters",
        status: 400,
        code: "VALIDATION_FAILED",
      });
      const email = await login(t.app, `doctor@demo.clinic${value}`, "doctor-demo");
      expect(email.statusCode, email.body).toBe(400);
      expect(email.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
      for (const url of ["/api/auth/refresh", "/api/auth/logout"]) {
        const refresh = await t.app.inject({ method: "POST", url, payload: { refresh_token: value } });
        expect(refresh.statusCode, refresh.body).toBe(400);
        expect(refresh.json()).toMatchObject({
          error: "Invalid request body: refresh_token may not contain control characters",
          code: "VALIDATION_FAILED",
        });
      }
    }
  });

  it("still signs in with a password of printable characters", async () => {
    expect((await login(t.app, "doctor@demo.clinic", "doctor-demo")).statusCode).toBe(200);
  });

  it("logged none of the refused text, and no error", () => {
    const text = t.logs.text();
    expect(text).toContain("request refused"); // the capture works
    expect(text).not.toContain("chest pain");
    expect(t.logs.lines.map((l) => JSON.parse(l)).filter((e) => e.level >= 50)).toEqual([]);
  });
});
