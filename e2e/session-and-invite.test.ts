import type { Appointment, AppointmentList, InviteLink } from "@clinic/contracts";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers, GatewayApi } from "./support/api.ts";
import { describeInBrowser, launchBrowser, newPersonContext } from "./support/browser.ts";
import { admitPatient, expectAccessible, expectVideoPlaying, logIn, screenshot } from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

/**
 * Issue 11 in real Chromium: a sign-in survives a reload (the refresh token is an HttpOnly
 * cookie the page's script cannot read), and a patient with no account opens the invite link
 * on a phone, waits for the doctor, joins, and the two see each other.
 */
describeInBrowser("sign-in across a reload, and the invite link on a phone", () => {
  let stack: E2eStack;
  let browser: Browser;
  let api: GatewayApi;
  let doctorContext: BrowserContext;
  let doctor: Page;
  let patient: Page;

  beforeAll(async () => {
    stack = await startE2eStack();
    browser = await launchBrowser();
    api = new GatewayApi(stack.origin);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("a reload keeps the doctor signed in; the refresh cookie is HttpOnly and invisible to the page", async () => {
    doctorContext = await newPersonContext(browser);
    doctor = await doctorContext.newPage();
    await logIn(doctor, stack.origin, demoUsers.doctor);
    expect(new URL(doctor.url()).pathname).toBe("/doctor/appointments");
    await doctor.getByRole("table", { name: "Appointments" }).waitFor();

    const cookies = await doctorContext.cookies();
    const refresh = cookies.filter((c) => c.name === "clinic_refresh");
    expect(refresh.length).toBeGreaterThan(0);
    for (const cookie of refresh) {
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
      // Sent only to the refresh and logout endpoints (through the gateway's /auth prefix).
      expect(cookie.path).toMatch(/\/api\/auth\/(refresh|logout)$/);
    }
    expect(
      await doctor.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).not.toContain("clinic_refresh");
    // Nothing of the sign-in in the page's storage.
    const stored = await doctor.evaluate(() => {
      const w = globalThis as unknown as {
        localStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null };
      };
      return Array.from(
        { length: w.localStorage.length },
        (_, i) => w.localStorage.getItem(w.localStorage.key(i) ?? "") ?? "",
      ).join(" ");
    });
    expect(stored).not.toMatch(/eyJ|refresh|access/);

    await doctor.reload();
    await doctor.getByRole("table", { name: "Appointments" }).waitFor();
    expect(new URL(doctor.url()).pathname).toBe("/doctor/appointments");
    await doctor.getByRole("button", { name: "Log out" }).waitFor();

    // A new tab of the same browser is signed in too.
    const second = await doctorContext.newPage();
    await second.goto(`${stack.origin}/doctor/dashboard`);
    await second.getByRole("button", { name: "Log out" }).waitFor();
    expect(new URL(second.url()).pathname).toBe("/doctor/dashboard");
    await second.close();
  });

  it("the patient opens the invite link on a phone: the doctor's name, waiting, then joining; both see each other", async () => {
    const doctorToken = await api.login(demoUsers.doctor);
    const { appointments } = await api.call<AppointmentList>(
      "GET",
      "/appointments/api/appointments?limit=100&offset=0&status=SCHEDULED",
      doctorToken,
    );
    const now = Date.now();
    const due = appointments.find(
      (a: Appointment) =>
        a.video_enabled &&
        a.patient_id === demoUsers.patient.id &&
        Math.abs(new Date(a.start_time).getTime() - now) < 10 * 60_000,
    );
    if (!due) throw new Error("the demo seed has no appointment starting now");
    const link = await api.call<InviteLink>("POST", `/appointments/api/appointments/${due.id}/invites`, doctorToken);
    const path = new URL(link.url).pathname;
    expect(path).toMatch(/^\/join\/[A-Za-z0-9_-]{43}$/);

    const patientContext = await newPersonContext(browser, { phone: true });
    patient = await patientContext.newPage();
    await patient.goto(`${stack.origin}${path}`);
    const card = patient.getByRole("region", { name: "Your video consultation" });
    await card.getByText(`With ${demoUsers.doctor.name}`).waitFor();
    await card.getByText(/\(UTC\)|\([A-Za-z]+\/[A-Za-z_]+\)/).waitFor();
    await card.getByText("Waiting for the doctor to start").waitFor();
    expect(await card.getByRole("button", { name: "Join" }).isDisabled()).toBe(true);
    expect(await patient.getByRole("textbox", { name: "Email" }).count()).toBe(0);
    await card.getByRole("button", { name: "Check camera and microphone" }).click();
    await card.getByText("Your camera and microphone work.").waitFor();
    await expectAccessible(patient, "join page (phone)");
    await screenshot(patient, "join-phone-waiting");

    // The doctor starts the consultation from their list.
    const startable = doctor.getByRole("row").filter({ hasText: demoUsers.patient.name }).getByRole("button", {
      name: "Start Video",
      disabled: false,
    });
    await startable.first().click();
    await doctor.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    await expectVideoPlaying(doctor, "Your video");

    // The waiting page notices by itself (it polls), then Join → consent → the call.
    await card.getByRole("button", { name: "Join", disabled: false }).click({ timeout: 20_000 });
    await patient.getByRole("heading", { name: "Consent to a video consultation" }).waitFor();
    await patient.getByRole("button", { name: "I agree" }).click();
    // The waiting room (issue 12): the doctor lets the patient in.
    await admitPatient(doctor);
    await Promise.all([expectVideoPlaying(patient, "Doctor video"), expectVideoPlaying(doctor, "Patient video")]);
    expect(new URL(patient.url()).pathname).toBe(path);
    await screenshot(patient, "join-phone-call");

    // The link opens that consultation only: the invite's token is refused everywhere else.
    const exchange = await fetch(`${stack.origin}/auth/api/auth/invite-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ invite_token: path.slice("/join/".length) }),
    });
    expect(exchange.status).toBe(200);
    const { access_token } = (await exchange.json()) as { access_token: string };
    const list = await fetch(`${stack.origin}/appointments/api/appointments`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(list.status).toBe(403);
  });
});
