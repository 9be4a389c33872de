import type { Appointment, SessionDetails, UsageResponse } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers, GatewayApi } from "./support/api.ts";
import { describeInBrowser, launchBrowser, newPersonContext } from "./support/browser.ts";
import {
  audioPacketsReceived,
  clickThenFirstFrame,
  enableAutoAdmit,
  expectAccessible,
  expectVideoPlaying,
  firstFrameAt,
  logIn,
  screenshot,
  sentTracks,
  spaNavigate,
} from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

/**
 * The guide's Manual Testing Checklist 1–5, automated: a doctor and a patient in two
 * browser contexts of real Chromium (fake camera and microphone) hold a consultation
 * through the web app the gateway serves, against the whole stack `npm start` runs.
 * The tests run in order and share one consultation.
 */
describeInBrowser("a video consultation between two browsers (guide checklist 1–5)", () => {
  let stack: E2eStack;
  let browser: Browser;
  let api: GatewayApi;
  let doctorToken: string;
  let doctorContext: BrowserContext;
  let patientContext: BrowserContext;
  let doctor: Page;
  let patient: Page;
  let sessionId: string;
  let appointmentId: string;
  let appointmentTime: string;
  const notes = "Blood pressure normal. Continue current dose; follow-up in two weeks.";
  const draft = "Reports chest tightness since Monday; no fever.";
  const notesDuringCall = () => doctor.getByRole("complementary", { name: "Notes" });

  beforeAll(async () => {
    stack = await startE2eStack();
    browser = await launchBrowser();
    api = new GatewayApi(stack.origin);
    doctorToken = await api.login(demoUsers.doctor);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const doctorSession = () => api.call<SessionDetails>("GET", `/video/api/video/sessions/${sessionId}`, doctorToken);

  it("logs the patient in on a phone and shows the waiting state until the doctor starts", async () => {
    patientContext = await newPersonContext(browser, { phone: true });
    patient = await patientContext.newPage();
    await patient.goto(`${stack.origin}/login`);
    await patient.getByRole("button", { name: "Log in" }).waitFor();
    await expectAccessible(patient, "login");
    // The sign-in page ships only its own components' styles (issue 17): they must all be there.
    const look = await patient.evaluate(() => {
      // e2e code is typed without the DOM library: the page's globals, as far as used here.
      type Style = { backgroundColor: string; borderTopLeftRadius: string; borderTopStyle: string };
      const w = globalThis as unknown as {
        document: { querySelector(selector: string): object | null };
        getComputedStyle(element: object): Style;
      };
      const style = (selector: string) => {
        const element = w.document.querySelector(selector);
        if (!element) throw new Error(`${selector} is missing`);
        return w.getComputedStyle(element);
      };
      const button = style('button[type="submit"]');
      const input = style('input[type="email"]');
      return {
        buttonBackground: button.backgroundColor,
        buttonRadius: button.borderTopLeftRadius,
        inputRadius: input.borderTopLeftRadius,
        inputBorder: input.borderTopStyle,
        cssFiles: performance.getEntriesByType("resource").filter((r) => r.name.endsWith(".css")).length,
      };
    });
    expect(look).toMatchObject({ buttonBackground: "rgb(8, 127, 91)", buttonRadius: "8px", inputRadius: "8px" });
    expect(look.inputBorder).toBe("solid");
    expect(look.cssFiles).toBe(1);
    await screenshot(patient, "login");

    await logIn(patient, stack.origin, demoUsers.patient);
    expect(new URL(patient.url()).pathname).toBe("/patient");
    const card = patient.getByRole("region", { name: "Your next appointment" });
    await card.getByText("Your doctor will start the call").waitFor();
    expect(await card.getByRole("button", { name: "Join" }).isDisabled()).toBe(true);
    await expectAccessible(patient, "patient waiting page");
    await screenshot(patient, "patient-waiting");
  });

  it("(1) the doctor starts the consultation and sees their own video, the timer, the patient and End Call", async () => {
    doctorContext = await newPersonContext(browser);
    doctor = await doctorContext.newPage();
    await logIn(doctor, stack.origin, demoUsers.doctor);
    expect(new URL(doctor.url()).pathname).toBe("/doctor/appointments");
    await doctor.getByRole("table", { name: "Appointments" }).waitFor();
    await doctor.getByRole("img", { name: "Video consultation" }).first().waitFor();
    // The demo appointment starting now is the only one inside its join window.
    const startable = doctor
      .getByRole("row")
      .filter({ has: doctor.getByRole("button", { name: "Start Video", disabled: false }) });
    await startable.first().waitFor();
    expect(await startable.count()).toBe(1);
    expect(await startable.textContent()).toContain(demoUsers.patient.name);
    appointmentTime = (await startable.getByRole("cell").nth(1).textContent()) ?? "";
    expect(appointmentTime).not.toBe("");
    await expectAccessible(doctor, "doctor appointments list");
    await screenshot(doctor, "doctor-appointments");

    await startable.getByRole("button", { name: "Start Video" }).click();
    await doctor.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    sessionId = /\/sessions\/(sess-[0-9a-f-]+)\/call/.exec(doctor.url())![1]!;

    await expectVideoPlaying(doctor, "Your video");
    // The timer counts from 00:00 (read a moment after the window opened).
    expect(await doctor.getByRole("timer", { name: "Elapsed time" }).textContent()).toMatch(/^00:0\d$/);
    await doctor.getByRole("heading", { name: `Video Consultation: ${demoUsers.patient.name}` }).waitFor();
    const info = doctor.getByRole("region", { name: "Session information" });
    expect(await info.textContent()).toContain(demoUsers.patient.name);
    expect(await info.textContent()).toContain(sessionId);
    expect(await doctor.getByRole("button", { name: "End Call" }).isEnabled()).toBe(true);
    await doctor.getByRole("status").filter({ hasText: "Waiting for patient to join" }).waitFor();
    // The waiting room (issue 12): the doctor lets this appointment's patient in without Admit.
    await enableAutoAdmit(doctor);

    const session = await doctorSession();
    expect(session.status).toBe("IN_PROGRESS");
    appointmentId = session.appointment_id;
  });

  it("(2) the patient joins: each side plays the other's moving video, both hear, mute and camera change what is sent", async () => {
    // The waiting page notices the started session by itself (it polls).
    await patient.getByRole("button", { name: "Join", disabled: false }).waitFor({ timeout: 15_000 });
    // Informed consent first (issue 16): the clinic's text, and no camera until the patient agrees.
    await patient.getByRole("button", { name: "Join" }).click();
    await patient.getByRole("heading", { name: "Consent to a video consultation" }).waitFor();
    expect(await patient.getByLabel("Consent text").textContent()).not.toBe("");
    expect(await patient.locator("video").count()).toBe(0);
    expect((await doctorSession()).consent).toBeNull();
    await expectAccessible(patient, "consent (patient)");
    await screenshot(patient, "patient-consent");
    const doctorSeesPatient = firstFrameAt(doctor, "Patient video");
    doctorSeesPatient.catch(() => undefined); // awaited below
    const joined = await clickThenFirstFrame(patient, "I agree", "Doctor video");
    const doctorFrameAt = await doctorSeesPatient;
    process.stdout.write(
      `"I agree" click → first remote video frame: patient sees doctor after ${Math.round(joined.shownAt - joined.clickedAt)} ms, ` +
        `doctor sees patient after ${Math.round(doctorFrameAt - joined.clickedAt)} ms\n`,
    );

    const heardByDoctor = await audioPacketsReceived(doctor);
    const heardByPatient = await audioPacketsReceived(patient);
    await Promise.all([expectVideoPlaying(doctor, "Patient video"), expectVideoPlaying(patient, "Doctor video")]);
    expect(await audioPacketsReceived(doctor)).toBeGreaterThan(heardByDoctor);
    expect(await audioPacketsReceived(patient)).toBeGreaterThan(heardByPatient);

    // The answer is stored with the session, for the doctor (and the FHIR record) to see.
    expect((await doctorSession()).consent).toMatchObject({ decision: "GIVEN", text_version: expect.any(Number) });
    const participants = doctor.getByRole("region", { name: "Participants" });
    await participants.getByText(`${demoUsers.patient.name} (Patient) — connected`).waitFor();
    await participants.getByText(`${demoUsers.doctor.name} (Doctor) — connected`).waitFor();
    await expectAccessible(doctor, "call window (doctor)");
    await expectAccessible(patient, "call window (patient)");
    await screenshot(doctor, "call-window-doctor");
    await screenshot(patient, "call-window-patient");

    // Mute: the microphone track stops being sent, and comes back.
    expect((await sentTracks(doctor)).sent).toEqual(
      expect.arrayContaining([
        { kind: "audio", enabled: true },
        { kind: "video", enabled: true },
      ]),
    );
    await doctor.getByRole("button", { name: "Mute", exact: true }).click();
    await doctor.getByRole("button", { name: "Unmute", exact: true }).waitFor();
    const muted = await sentTracks(doctor);
    expect(muted.local).toEqual(
      expect.arrayContaining([
        { kind: "audio", enabled: false },
        { kind: "video", enabled: true },
      ]),
    );
    expect(muted.sent.filter((t) => t.kind === "audio")).toEqual([{ kind: "audio", enabled: false }]);
    await doctor.getByRole("button", { name: "Unmute", exact: true }).click();
    await doctor.getByRole("button", { name: "Mute", exact: true }).waitFor();
    expect((await sentTracks(doctor)).sent.filter((t) => t.kind === "audio")).toEqual([
      { kind: "audio", enabled: true },
    ]);

    // Camera off on the patient's side: nothing sent, the doctor sees the patient card instead.
    await patient.getByRole("button", { name: "Stop Video" }).click();
    await patient.getByRole("button", { name: "Resume Video" }).waitFor();
    expect((await sentTracks(patient)).sent.filter((t) => t.kind === "video")).toEqual([
      { kind: "video", enabled: false },
    ]);
    const patientCard = doctor.getByLabel("Patient card");
    await patientCard.getByText("Camera is off").waitFor();
    expect(await patientCard.textContent()).toContain(demoUsers.patient.name);
    await screenshot(doctor, "call-window-patient-camera-off");
    await patient.getByRole("button", { name: "Resume Video" }).click();
    await patientCard.waitFor({ state: "detached" });
    expect((await sentTracks(patient)).sent.filter((t) => t.kind === "video")).toEqual([
      { kind: "video", enabled: true },
    ]);
    await expectVideoPlaying(doctor, "Patient video");
  });

  it("(3) the doctor closes the tab and comes back: the call continues with one attendee entry per person", async () => {
    // Notes during the call (issue 16): the draft is saved on the server as the doctor types.
    const openNotes = () =>
      doctor
        .getByRole("toolbar", { name: "Call controls" })
        .getByRole("button", { name: "Notes", exact: true })
        .click();
    await openNotes();
    await notesDuringCall().getByRole("textbox", { name: "Consultation Notes" }).fill(draft);
    await doctor.getByText(/Draft saved \d{2}:\d{2}/).waitFor();
    await expectVideoPlaying(doctor, "Patient video");
    await expectAccessible(doctor, "call window with notes (doctor)");
    await screenshot(doctor, "call-window-notes");
    await doctor.close();
    doctor = await doctorContext.newPage();
    // The new tab is still signed in: the refresh cookie restores the sign-in (issue 11).
    await doctor.goto(`${stack.origin}/doctor/appointments`);
    await doctor.getByRole("button", { name: "View Session" }).click();
    await doctor.waitForURL(`${stack.origin}/sessions/${sessionId}/call`);
    await Promise.all([expectVideoPlaying(doctor, "Patient video"), expectVideoPlaying(patient, "Doctor video")]);

    const attendees = await eventually("one live attendee per person", async () => {
      const { attendees } = await doctorSession();
      const live = attendees.filter((a) => a.status === "CONNECTED" || a.status === "JOINING");
      return live.length === 2 && live.every((a) => a.status === "CONNECTED") ? attendees : undefined;
    });
    const live = attendees.filter((a) => a.status === "CONNECTED");
    expect(live.map((a) => a.user_type).sort()).toEqual(["DOCTOR", "PATIENT"]);
    const doctorEntries = attendees.filter((a) => a.user_type === "DOCTOR");
    expect(doctorEntries.length).toBeGreaterThanOrEqual(2);
    for (const older of doctorEntries.filter((a) => a.status !== "CONNECTED")) {
      expect(["LEFT", "REPLACED"]).toContain(older.status);
      expect(older.leave_time).not.toBeNull();
    }
    await doctor.getByRole("region", { name: "Participants" }).getByText("Participants (2)").waitFor();
    // The draft survived the closed tab.
    await openNotes();
    await eventually("the draft is loaded back", async () =>
      (await notesDuringCall().getByRole("textbox", { name: "Consultation Notes" }).inputValue()) === draft
        ? true
        : undefined,
    );
  });

  it("(4) End Call closes both sides, the notes panel saves notes and rating, the appointment is COMPLETED", async () => {
    await doctor.getByRole("button", { name: "End Call" }).click();
    const dialog = doctor.getByRole("dialog", { name: "End the consultation?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "End consultation" }).click();

    await doctor.getByRole("heading", { name: "Session Completed" }).waitFor();
    expect(new URL(doctor.url()).pathname).toBe(`/doctor/sessions/${sessionId}/notes`);
    await patient.getByText("The consultation has ended").waitFor();
    await expectAccessible(patient, "patient: consultation ended");

    // The post-call panel continues the draft written during the call.
    await eventually("the post-call panel starts from the draft", async () =>
      (await doctor.getByRole("textbox", { name: "Consultation Notes" }).inputValue()) === draft ? true : undefined,
    );
    await doctor.getByRole("textbox", { name: "Consultation Notes" }).fill(notes);
    await doctor.getByText(`${notes.length}/500`).waitFor();
    // The radio inputs are visually hidden; a person clicks the star drawn by the label.
    const fiveStars = doctor.getByRole("radio", { name: "5 stars" });
    await doctor.locator(`label[for="${await fiveStars.getAttribute("id")}"]`).click();
    expect(await fiveStars.isChecked()).toBe(true);
    await expectAccessible(doctor, "notes panel");
    await screenshot(doctor, "notes-panel");
    await doctor.getByRole("button", { name: "Save Notes" }).click();
    await doctor.getByRole("status").filter({ hasText: "Notes saved." }).waitFor();

    const saved = await doctorSession();
    expect(saved).toMatchObject({ status: "COMPLETED", notes, quality_rating: 5 });
    expect(saved.end_time).not.toBeNull();
    expect(saved.attendees.every((a) => a.status !== "CONNECTED" && a.status !== "JOINING")).toBe(true);

    // The appointments service learns of the end through an event: wait for it, then the list.
    await eventually("appointment COMPLETED", async () => {
      const appointment = await api.call<Appointment>(
        "GET",
        `/appointments/api/appointments/${appointmentId}`,
        doctorToken,
      );
      return appointment.status === "COMPLETED" ? appointment : undefined;
    });
    await doctor.getByRole("button", { name: "Done" }).click();
    await doctor.waitForURL(`${stack.origin}/doctor/appointments`);
    const row = doctor.getByRole("row").filter({ hasText: appointmentTime }).filter({ hasText: "COMPLETED" });
    await row.getByRole("button", { name: "Add Notes" }).waitFor({ timeout: 20_000 });

    // What the doctor wrote never reaches a log line, nor does a password.
    const logs = stack.logs.text();
    expect(logs).not.toContain(notes);
    expect(logs).not.toContain(demoUsers.doctor.password);
    expect(logs).not.toContain(doctorToken);
  });

  it("(5) the dashboard shows the numbers of the usage endpoint", async () => {
    await spaNavigate(doctor, "/doctor/dashboard");
    const meter = doctor.getByRole("meter");
    await meter.waitFor();
    const usage = await api.call<UsageResponse>("GET", "/video/api/video/metrics/usage", doctorToken);
    const ours = usage.sessions.find((s) => s.session_id === sessionId);
    expect(ours).toMatchObject({ attendees: 2, patient_name: demoUsers.patient.name });
    expect(ours!.attendee_minutes).toBeGreaterThan(0);

    // The page may first show usage cached by the appointments list, then its refetch.
    const stat = async (label: string) =>
      (await doctor.getByRole("region", { name: label }).textContent())?.replace(label, "").trim();
    const shown = async () => ({
      consultations: await stat("Consultations this month"),
      minutes: await stat("Total attendee-minutes"),
      average: await stat("Average session duration"),
      meterValue: Number(await meter.getAttribute("aria-valuenow")),
      meterLabel: await meter.getAttribute("aria-label"),
    });
    const average = usage.sessions.reduce((sum, s) => sum + s.duration_minutes, 0) / usage.sessions.length;
    const percentage = Math.round(usage.usage_percentage * 10) / 10;
    const expected = {
      consultations: String(usage.total_sessions),
      minutes: String(usage.total_attendee_minutes),
      average: `${Math.round(average * 10) / 10} min`,
      meterValue: percentage,
      meterLabel: `Free tier usage ${percentage}%`,
    };
    const matching = await eventually(
      "the dashboard showing the usage endpoint's numbers",
      async () => {
        const now = await shown();
        return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
      },
      { timeoutMs: 10_000 },
    ).catch(async () => shown());
    expect(matching).toEqual(expected);
    expect(usage.status).toBe("HEALTHY");
    await doctor.getByText(usage.status, { exact: true }).waitFor();
    await expectAccessible(doctor, "dashboard");
    await screenshot(doctor, "dashboard");
  });

  it("the session history lists the consultation as COMPLETED and shows its notes and rating (guide test 4)", async () => {
    await doctor.getByRole("link", { name: "Sessions" }).click();
    await doctor.getByRole("table", { name: "Sessions" }).waitFor();
    await doctor.getByRole("radiogroup", { name: "Filter sessions by status" }).getByText("COMPLETED").click();
    const rows = doctor.getByRole("table", { name: "Sessions" }).getByRole("row").filter({ hasText: "COMPLETED" });
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await expectAccessible(doctor, "session history");
    await rows.getByRole("button", { name: `Open session with ${demoUsers.patient.name}` }).click();
    await doctor.waitForURL(`${stack.origin}/doctor/sessions/${sessionId}`);
    const details = doctor.getByRole("region", { name: `Session with ${demoUsers.patient.name}` });
    await details.getByText(notes).waitFor();
    await details.getByLabel("Rated 5 of 5 stars").waitFor();
    await expectAccessible(doctor, "session details");
  });

  it("the admin sees the month's usage with the consultation in the per-session table", async () => {
    const adminContext = await newPersonContext(browser);
    const admin = await adminContext.newPage();
    await logIn(admin, stack.origin, demoUsers.admin);
    expect(new URL(admin.url()).pathname).toBe("/admin/usage");
    const table = admin.getByRole("table", { name: "Sessions this month" });
    const row = table.getByRole("row").filter({ hasText: sessionId });
    await row.waitFor();
    expect(await row.textContent()).toContain(demoUsers.patient.name);
    await admin.getByRole("combobox", { name: "Month" }).waitFor();
    await expectAccessible(admin, "admin usage");
    await screenshot(admin, "admin-usage");
    await adminContext.close();
  });
});
