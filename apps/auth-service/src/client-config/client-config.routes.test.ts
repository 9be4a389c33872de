import { ConfigError } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import { buildTestApp } from "../test-app.ts";

describe("GET /api/auth/client-config", () => {
  it("tells anyone (no token) the idle logoff, the maximum login and the clinic's time zone, cacheable for a minute", async () => {
    const t = await buildTestApp();
    try {
      const res = await t.app.inject({ method: "GET", url: "/api/auth/client-config" });
      expect(res.statusCode).toBe(200);
      expect(res.headers["cache-control"]).toBe("public, max-age=60");
      expect(res.json()).toEqual({ idle_logoff_min: 15, session_max_hours: 12, clinic_time_zone: "UTC" });
    } finally {
      await t.close();
    }
  });

  it("answers what the configuration says", async () => {
    const t = await buildTestApp({ IDLE_LOGOFF_MIN: "5", SESSION_MAX_HOURS: "8", CLINIC_TIME_ZONE: "Europe/Berlin" });
    try {
      const res = await t.app.inject({ method: "GET", url: "/api/auth/client-config" });
      expect(res.json()).toEqual({ idle_logoff_min: 5, session_max_hours: 8, clinic_time_zone: "Europe/Berlin" });
    } finally {
      await t.close();
    }
  });

  it("is never reached with an unknown time zone: the service refuses its configuration", async () => {
    const started = buildTestApp({ CLINIC_TIME_ZONE: "Europe/Atlantis" });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/CLINIC_TIME_ZONE: is not an IANA time zone name/);
  });
});
