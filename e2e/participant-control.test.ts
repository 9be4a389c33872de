import type { SessionDetails } from "@clinic/contracts";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers, GatewayApi } from "./support/api.ts";
import { describeInBrowser, launchBrowser, newPersonContext } from "./support/browser.ts";
import { admitPatient, expectAccessible, expectVideoPlaying, logIn, screenshot, sentTracks } from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

/**
 * Participant control (issue 12) in the browser: in the doctor's call window, **Mute** beside
 * the patient asks the patient's browser to mute (its sent audio track is disabled and the
 * patient is told), **Remove** (confirmed) ends the call for the patient, who reads that the
 * doctor removed them — and cannot come back by reloading.
 */
describeInBrowser("participant control: the doctor mutes and removes the patient", () => {
  let stack: E2eStack;
  let browser: Browser;
  let api: GatewayApi;
  let doctor: Page;
  let patient: Page;
  let sessionId: string;
  const patientName = demoUsers.patient.name;
  const participants = () => doctor.getByRole("region", { name: "Participants" });

  beforeAll(async () => {
    stack = await startE2eStack();
    browser = await launchBrowser();
    api = new GatewayApi(stack.origin);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("the doctor and the patient are in the call together", async () => {
    doctor = await (await newPersonContext(browser)).newPage();
    await logIn(doctor, stack.origin, demoUsers.doctor);
    await doctor.getByRole("button", { name: "Start Video", disabled: false }).first().click();
    await doctor.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    sessionId = /\/sessions\/(sess-[0-9a-f-]+)\/call/.exec(doctor.url())![1]!;
    await expectVideoPlaying(doctor, "Your video");

    patient = await (await newPersonContext(browser, { phone: true })).newPage();
    await logIn(patient, stack.origin, demoUsers.patient);
    await patient.getByRole("button", { name: "Join", disabled: false }).click({ timeout: 20_000 });
    await patient.getByRole("button", { name: "I agree" }).click();
    await admitPatient(doctor);
    await Promise.all([expectVideoPlaying(doctor, "Patient video"), expectVideoPlaying(patient, "Doctor video")]);
    await participants().getByText(`${patientName} (Patient) — connected`).waitFor({ timeout: 20_000 });
    // The doctor's own row has no controls.
    expect(
      await participants()
        .getByRole("button", { name: `Mute ${demoUsers.doctor.name}` })
        .count(),
    ).toBe(0);
  });

  it("Mute: the patient's browser stops sending its microphone and says the doctor muted it; they may unmute", async () => {
    expect((await sentTracks(patient)).sent.filter((t) => t.kind === "audio")).toEqual([
      { kind: "audio", enabled: true },
    ]);
    await participants()
      .getByRole("button", { name: `Mute ${patientName}` })
      .click();
    await patient.getByText("The doctor muted your microphone").waitFor();
    await expect
      .poll(async () => (await sentTracks(patient)).sent.filter((t) => t.kind === "audio"), { timeout: 10_000 })
      .toEqual([{ kind: "audio", enabled: false }]);
    expect((await sentTracks(patient)).local.filter((t) => t.kind === "audio")).toEqual([
      { kind: "audio", enabled: false },
    ]);
    await screenshot(patient, "participant-muted-patient");
    // A request, not a lock: the patient unmutes themselves.
    await patient.getByRole("button", { name: "Unmute", exact: true }).click();
    expect((await sentTracks(patient)).sent.filter((t) => t.kind === "audio")).toEqual([
      { kind: "audio", enabled: true },
    ]);
  });

  it("Remove (after confirming): the patient is told plainly, nothing reconnects, and a reload does not bring them back", async () => {
    await participants()
      .getByRole("button", { name: `Remove ${patientName}` })
      .click();
    const dialog = doctor.getByRole("dialog", { name: `Remove ${patientName}?` });
    await dialog.waitFor();
    await expectAccessible(doctor, "remove participant dialog");
    await screenshot(doctor, "participant-remove-dialog");
    await dialog.getByRole("button", { name: "Remove from call" }).click();

    await patient.getByText("The doctor removed you from this consultation.").waitFor({ timeout: 15_000 });
    await expectAccessible(patient, "removed from the consultation (patient)");
    await screenshot(patient, "participant-removed-patient");
    // Camera and microphone are off, and no peer connection is live on either side.
    await expect.poll(async () => (await sentTracks(patient)).sent, { timeout: 10_000 }).toEqual([]);
    expect(await patient.locator('video[aria-label="Your video"]').count()).toBe(0);
    await doctor.getByLabel("Patient card").getByText("Not connected yet").waitFor({ timeout: 15_000 });
    // Still so a while later: no reconnect loop.
    await patient.waitForTimeout(3000);
    expect(await patient.getByText("Reconnecting").count()).toBe(0);
    await patient.getByText("The doctor removed you from this consultation.").waitFor();

    const doctorToken = await api.login(demoUsers.doctor);
    const session = await api.call<SessionDetails>("GET", `/video/api/video/sessions/${sessionId}`, doctorToken);
    expect(session.status).toBe("IN_PROGRESS");
    expect(session.attendees.filter((a) => a.user_type === "PATIENT").map((a) => a.status)).toEqual(["LEFT"]);

    // A reload asks to join again: refused, and the same plain sentence.
    await patient.reload();
    await patient.getByText("The doctor removed you from this consultation.").waitFor({ timeout: 20_000 });
    expect(await patient.locator('video[aria-label="Doctor video"]').count()).toBe(0);
  });
});
