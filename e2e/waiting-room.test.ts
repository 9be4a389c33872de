import type { SessionDetails } from "@clinic/contracts";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers, GatewayApi } from "./support/api.ts";
import { describeInBrowser, launchBrowser, newPersonContext } from "./support/browser.ts";
import { admitPatient, expectAccessible, expectVideoPlaying, logIn, screenshot } from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

/**
 * The waiting room (issue 12) in the browser: the patient who joins waits ("Waiting for Dr … to
 * let you in", their place in line) and receives no video; the doctor's call window shows
 * "Patient waiting" with Admit; once the doctor admits them, both see each other.
 */
describeInBrowser("waiting room: the patient waits until the doctor admits them", () => {
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

  it("the patient who joins waits, with their place and the doctor's name; no video reaches either side", async () => {
    doctor = await (await newPersonContext(browser)).newPage();
    await logIn(doctor, stack.origin, demoUsers.doctor);
    await doctor.getByRole("button", { name: "Start Video", disabled: false }).first().click();
    await doctor.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    sessionId = /\/sessions\/(sess-[0-9a-f-]+)\/call/.exec(doctor.url())![1]!;
    await expectVideoPlaying(doctor, "Your video");
    // Manual admission is the default: the switch is off.
    const toggle = doctor.getByRole("switch", { name: "Admit the patient automatically" });
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);

    patient = await (await newPersonContext(browser, { phone: true })).newPage();
    await logIn(patient, stack.origin, demoUsers.patient);
    await patient.getByRole("button", { name: "Join", disabled: false }).click({ timeout: 20_000 });
    await patient.getByRole("button", { name: "I agree" }).click();

    const waiting = patient
      .getByRole("status")
      .filter({ hasText: `Waiting for ${demoUsers.doctor.name} to let you in` });
    await waiting.waitFor({ timeout: 20_000 });
    expect(await waiting.textContent()).toContain("You are next");
    await expectVideoPlaying(patient, "Your video");
    const lobby = doctor.getByRole("region", { name: "Waiting room" });
    await lobby.getByText(`Patient waiting: ${demoUsers.patient.name}`).waitFor({ timeout: 20_000 });
    await expectAccessible(patient, "waiting room (patient)");
    await expectAccessible(doctor, "waiting room (doctor)");
    await screenshot(patient, "waiting-room-patient");
    await screenshot(doctor, "waiting-room-doctor");

    // Neither side has a peer connection with the other while the patient waits.
    await doctor.waitForTimeout(2000);
    for (const [page, label] of [
      [doctor, "Patient video"],
      [patient, "Doctor video"],
    ] as const) {
      const remote = await page.evaluate((l) => {
        const video = (
          globalThis as unknown as { document: { querySelector(s: string): unknown } }
        ).document.querySelector(`video[aria-label="${l}"]`) as { srcObject: unknown } | null;
        return video?.srcObject ?? null;
      }, label);
      expect(remote, `${label} while waiting`).toBeNull();
    }
    const live = await api.call<SessionDetails>(
      "GET",
      `/video/api/video/sessions/${sessionId}`,
      await api.login(demoUsers.doctor),
    );
    // The patient is connected (their waiting counts as attendance), just not let in.
    expect(live.attendees.filter((a) => a.user_type === "PATIENT").map((a) => a.status)).toEqual(["CONNECTED"]);
  });

  it("the doctor clicks Admit: the patient is let in and both see each other's video", async () => {
    await admitPatient(doctor);
    await Promise.all([expectVideoPlaying(patient, "Doctor video"), expectVideoPlaying(doctor, "Patient video")]);
    await patient.getByText(`Waiting for ${demoUsers.doctor.name} to let you in`).waitFor({ state: "detached" });
    await doctor
      .getByRole("region", { name: "Waiting room" })
      .getByText("Patient waiting")
      .waitFor({ state: "detached" });
  });
});
