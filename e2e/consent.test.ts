import type { SessionDetails } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers, GatewayApi } from "./support/api.ts";
import { describeInBrowser, launchBrowser, newPersonContext } from "./support/browser.ts";
import { admitPatient, expectAccessible, expectVideoPlaying, logIn, screenshot } from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

/**
 * Telehealth consent (issue 16) in the browser: the patient declines, their camera stays
 * off, the server refuses their join and the doctor's call page says why; then the patient
 * changes their mind, agrees, and both see each other.
 */
describeInBrowser("telehealth consent: declined, then given", () => {
  let stack: E2eStack;
  let browser: Browser;
  let api: GatewayApi;
  let doctor: Page;
  let patient: Page;
  let sessionId: string;

  beforeAll(async () => {
    stack = await startE2eStack();
    browser = await launchBrowser();
    api = new GatewayApi(stack.origin);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const session = async () =>
    api.call<SessionDetails>("GET", `/video/api/video/sessions/${sessionId}`, await api.login(demoUsers.doctor));

  it("a patient who declines does not join, and the doctor sees why", async () => {
    doctor = await (await newPersonContext(browser)).newPage();
    await logIn(doctor, stack.origin, demoUsers.doctor);
    const startable = doctor.getByRole("button", { name: "Start Video", disabled: false });
    await startable.first().click();
    await doctor.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    sessionId = /\/sessions\/(sess-[0-9a-f-]+)\/call/.exec(doctor.url())![1]!;
    await expectVideoPlaying(doctor, "Your video");

    patient = await (await newPersonContext(browser, { phone: true })).newPage();
    await logIn(patient, stack.origin, demoUsers.patient);
    await patient.getByRole("button", { name: "Join", disabled: false }).click({ timeout: 20_000 });
    await patient.getByRole("heading", { name: "Consent to a video consultation" }).waitFor();
    await patient.getByRole("button", { name: "I do not agree" }).click();

    await patient.getByRole("heading", { name: "You declined the video consultation" }).waitFor();
    expect(await patient.locator("video").count()).toBe(0);
    await expectAccessible(patient, "consent declined (patient)");
    await screenshot(patient, "patient-consent-declined");
    expect((await session()).consent).toMatchObject({ decision: "DECLINED" });

    // The server holds the line too: the patient's own join is refused while they decline.
    const refused = await fetch(`${stack.origin}/video/api/video/sessions/${sessionId}/join`, {
      method: "POST",
      headers: { authorization: `Bearer ${await api.login(demoUsers.patient)}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "CONSENT_DECLINED" });

    const notice = doctor.getByRole("alert").filter({ hasText: "The patient declined the video consultation" });
    await notice.waitFor({ timeout: 20_000 });
    await doctor.getByRole("status").filter({ hasText: "Waiting for patient to join" }).waitFor();
    await expectAccessible(doctor, "call window with declined consent (doctor)");
    await screenshot(doctor, "call-window-consent-declined");
  });

  it("the patient changes their mind: agreeing starts the call for both", async () => {
    await patient.getByRole("button", { name: "Read the consent again" }).click();
    await patient.getByRole("button", { name: "I agree" }).click();
    // The waiting room (issue 12): the doctor lets the patient in.
    await admitPatient(doctor);
    await Promise.all([expectVideoPlaying(patient, "Doctor video"), expectVideoPlaying(doctor, "Patient video")]);
    const given = await eventually("the latest answer is GIVEN", async () => {
      const { consent } = await session();
      return consent?.decision === "GIVEN" ? consent : undefined;
    });
    expect(given.text_version).toEqual(expect.any(Number));
    // The doctor's notice goes once the answer changes.
    await doctor
      .getByRole("alert")
      .filter({ hasText: "The patient declined the video consultation" })
      .waitFor({ state: "detached", timeout: 20_000 });
  });
});
