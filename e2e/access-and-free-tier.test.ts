import type { Appointment, CreatedUser, SessionDetails, UsageResponse } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers, GatewayApi } from "./support/api.ts";
import { describeInBrowser, launchBrowser, newPersonContext } from "./support/browser.ts";
import { expectAccessible, expectVideoPlaying, logIn, screenshot, spaNavigate } from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

/**
 * The guide's error cases in the browser: a second doctor opening someone else's
 * consultation, Start clicked on a session another tab already started, and a clinic over
 * its free tier. The free tier is one attendee-minute here (FREE_TIER_MINUTES=1), so the
 * consultation held during the first tests uses it up within about half a minute.
 */
describeInBrowser("access, starting twice and the free tier in the browser (FREE_TIER_MINUTES=1)", () => {
  let stack: E2eStack;
  let browser: Browser;
  let api: GatewayApi;
  let doctorToken: string;
  let sessionId: string;
  let otherDoctor: Page;
  let otherAppointment: Appointment;

  beforeAll(async () => {
    stack = await startE2eStack({ env: { FREE_TIER_MINUTES: "1" } });
    browser = await launchBrowser();
    api = new GatewayApi(stack.origin);
    doctorToken = await api.login(demoUsers.doctor);
    // The second doctor's own consultation starting in a minute, inside its join window, with
    // a patient the clinic's admin adds first (a booking names someone of the directory).
    const maria = await api.call<CreatedUser>("POST", "/auth/api/auth/users", await api.login(demoUsers.admin), {
      role: "PATIENT",
      name: "Maria Garcia",
      email: "maria.garcia@demo.clinic",
    });
    const start = new Date(Math.ceil((Date.now() + 60_000) / 60_000) * 60_000).toISOString();
    otherAppointment = await api.call<Appointment>(
      "POST",
      "/appointments/api/appointments",
      await api.login(demoUsers.doctor2),
      { patient_id: maria.user.id, start_time: start, duration_minutes: 15 },
    );
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const startVideo = (page: Page) =>
    page
      .getByRole("row")
      .filter({ has: page.getByRole("button", { name: "Start Video", disabled: false }) })
      .getByRole("button", { name: "Start Video" });

  it("Start Video on a session another tab already started joins it, without an error", async () => {
    const first = await (await newPersonContext(browser)).newPage();
    const second = await (await newPersonContext(browser)).newPage();
    await logIn(first, stack.origin, demoUsers.doctor);
    await logIn(second, stack.origin, demoUsers.doctor);
    await startVideo(first).waitFor();
    await startVideo(second).waitFor();

    await startVideo(first).click();
    await first.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    sessionId = /\/sessions\/(sess-[0-9a-f-]+)\/call/.exec(first.url())![1]!;
    await expectVideoPlaying(first, "Your video");

    // The second tab's list still offers Start: the server answers 409, the tab joins.
    const answer = second.waitForResponse((r) => r.url().endsWith("/start") && r.request().method() === "POST");
    await startVideo(second).click();
    expect((await answer).status()).toBe(409);
    await second.waitForURL(`${stack.origin}/sessions/${sessionId}/call`);
    await expectVideoPlaying(second, "Your video");
    expect(await second.getByRole("alert").count()).toBe(0);
    // One doctor in the meeting: the first tab hands over to the second.
    await first.getByText("Opened elsewhere").waitFor();
    const live = await eventually("the second tab connected, the first replaced", async () => {
      const { attendees } = await api.call<SessionDetails>(
        "GET",
        `/video/api/video/sessions/${sessionId}`,
        doctorToken,
      );
      const connected = attendees.filter((a) => a.status === "CONNECTED" || a.status === "JOINING");
      return connected.length === 1 && connected[0]!.status === "CONNECTED" ? attendees : undefined;
    });
    expect(live.filter((a) => a.status === "REPLACED" || a.status === "LEFT").length).toBeGreaterThanOrEqual(1);
    await first.context().close();
    // The patient of the free-tier test below meets the doctor without waiting for Admit.
    await api.autoAdmit(sessionId, doctorToken);
  });

  it("the second doctor opening the first doctor's consultation sees that they are not authorised", async () => {
    otherDoctor = await (await newPersonContext(browser)).newPage();
    // The link itself: log in first, then land on it.
    await logIn(otherDoctor, stack.origin, demoUsers.doctor2, `/sessions/${sessionId}/call`);
    const alert = otherDoctor
      .getByRole("alert")
      .filter({ hasText: "You are not authorized to access this appointment" });
    await alert.waitFor();
    expect(new URL(otherDoctor.url()).pathname).toBe(`/sessions/${sessionId}/call`);
    expect(await otherDoctor.locator("video").count()).toBe(0);
    await expectAccessible(otherDoctor, "not authorised");
    await screenshot(otherDoctor, "not-authorised");

    // Their own consultation can still be started (the free tier is not used up yet).
    await spaNavigate(otherDoctor, "/doctor/appointments");
    await startVideo(otherDoctor).waitFor();
  });

  it("once the clinic is over its free tier, the video buttons are disabled with the reason", async () => {
    const patient = await (await newPersonContext(browser, { phone: true })).newPage();
    await logIn(patient, stack.origin, demoUsers.patient);
    await patient.getByRole("button", { name: "Join", disabled: false }).click({ timeout: 15_000 });
    await patient.getByRole("button", { name: "I agree" }).click();
    await expectVideoPlaying(patient, "Doctor video");

    // Two people connected: one attendee-minute is used up after about half a minute.
    const adminToken = await api.login(demoUsers.admin);
    const usage = await eventually(
      "usage EXCEEDED",
      async () => {
        const usage = await api.call<UsageResponse>("GET", "/video/api/video/metrics/usage", adminToken);
        return usage.status === "EXCEEDED" ? usage : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    expect(usage.usage_percentage).toBeGreaterThan(100);

    await spaNavigate(otherDoctor, "/doctor/dashboard");
    await otherDoctor.getByRole("meter").waitFor();
    await otherDoctor.getByText("EXCEEDED", { exact: true }).waitFor();
    await expectAccessible(otherDoctor, "dashboard (EXCEEDED)");
    await screenshot(otherDoctor, "dashboard-exceeded");
    await spaNavigate(otherDoctor, "/doctor/appointments");
    const reason = "Free Tier limit exceeded. Video consultations disabled.";
    await otherDoctor.getByRole("alert").filter({ hasText: reason }).waitFor();
    const row = otherDoctor.getByRole("row").filter({ hasText: "Maria Garcia" }).filter({ hasText: "SCHEDULED" });
    const button = row.getByRole("button", { name: "Start Video" });
    expect(await row.count()).toBe(1);
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute("aria-description")).toBe(reason);
    await expectAccessible(otherDoctor, "doctor appointments list (EXCEEDED)");
    await screenshot(otherDoctor, "doctor-appointments-exceeded");

    // The server refuses too, whatever the page shows.
    const refused = await fetch(`${stack.origin}/video/api/video/sessions/${otherAppointment.id}/start`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await api.login(demoUsers.doctor2)}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ booking_type: "CLINIC_BASED" }),
    });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: "FREE_TIER_EXCEEDED" });
  });
});
