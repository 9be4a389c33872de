import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoUsers } from "./support/api.ts";
import { describeInBrowser, launchBrowser, newPersonContext } from "./support/browser.ts";
import { admitPatient, expectAccessible, expectVideoPlaying, logIn, screenshot } from "./support/pages.ts";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

const docsScreenshots = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "screenshots");

/**
 * The README's screenshots of these screens: written to docs/screenshots only with
 * UPDATE_SCREENSHOTS=1 (a deliberate refresh), so an ordinary run never rewrites the repository;
 * e2e/artifacts gets them every time.
 */
async function docScreenshot(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  if (process.env.UPDATE_SCREENSHOTS !== "1") return;
  mkdirSync(docsScreenshots, { recursive: true });
  await page.screenshot({ path: join(docsScreenshots, `${name}.png`), animations: "disabled", fullPage: true });
}

/** A wall-clock time in `zone`, as the booking form's picker asks for it. */
function wallClock(at: Date, zone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      year: "numeric",
      month: "long",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<"year" | "month" | "day" | "hour" | "minute", string>;
  return parts;
}

/** Opens the form's date-time picker, picks `at` (in `zone`) and confirms. */
async function pickDateTime(page: Page, field: Locator, at: Date, zone: string): Promise<void> {
  const when = wallClock(at, zone);
  const today = wallClock(new Date(), zone);
  await field.click();
  // Near the end of a month the start may be in the next one.
  if (when.month !== today.month) await page.getByRole("button", { name: "Next month" }).click();
  const day = page.getByRole("button", { name: `${when.day} ${when.month} ${when.year}`, exact: true });
  await day.and(page.locator(":not([data-outside])")).first().click();
  await page.getByRole("spinbutton", { name: "Hours" }).fill(when.hour);
  await page.getByRole("spinbutton", { name: "Minutes" }).fill(when.minute);
  await page.getByRole("button", { name: "Confirm date and time" }).click();
}

/**
 * Issue 11's onboarding and invite flow, all through the UI in real Chromium: the clinic admin
 * adds a patient on the People page (and gets their set-password link), a doctor books that
 * patient with the patient picker and makes an invite link, starts the call, and the patient,
 * who never signed in, opens the link on a phone, joins, and the two see each other.
 */
describeInBrowser("onboarding a patient and inviting them to a consultation", () => {
  let stack: E2eStack;
  let browser: Browser;
  // Unique per run: a kept database (real PostgreSQL) could already know an earlier run's email.
  const run = randomBytes(3).toString("hex");
  const newPatient = { name: `Mia Invited ${run}`, email: `mia.${run}@example.test` };
  // The second demo doctor: the first already has an appointment starting now (the demo seed's),
  // so a new one they could start at once would clash with it.
  const doctorPerson = demoUsers.doctor2;
  let doctor: Page;
  let invitePath: string;

  beforeAll(async () => {
    stack = await startE2eStack();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("the admin adds a patient on the People page and is shown their set-password link", async () => {
    const admin = await (await newPersonContext(browser)).newPage();
    await logIn(admin, stack.origin, demoUsers.admin);
    await admin.getByRole("link", { name: "People" }).click();
    await admin.waitForURL((url) => url.pathname === "/admin/people");
    const people = admin.getByRole("table", { name: "People" });
    await people.getByRole("row").filter({ hasText: demoUsers.patient.name }).waitFor();

    await admin.getByRole("button", { name: "Add person" }).click();
    const form = admin.getByRole("form", { name: "Add a person" });
    // Patient is the form's default role; choose it anyway, as an admin would check it.
    await form.getByRole("combobox", { name: "Role" }).click();
    await admin.getByRole("option", { name: "Patient" }).click();
    await form.getByRole("textbox", { name: "Name" }).fill(newPatient.name);
    await form.getByRole("textbox", { name: "Email" }).fill(newPatient.email);
    await form.getByRole("button", { name: "Add person" }).click();

    const dialog = admin.getByRole("dialog", { name: "Add a person" });
    const link = await dialog.getByRole("textbox", { name: "Set-password link" }).inputValue();
    expect(link).toMatch(/^http:\/\/[^/]+\/set-password#[A-Za-z0-9_-]{43}$/);
    await dialog.getByText("It works once.", { exact: false }).waitFor();
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "hidden" });

    const row = people.getByRole("row").filter({ hasText: newPatient.email });
    await row.waitFor();
    expect(await row.getByRole("cell").allTextContents()).toEqual(
      expect.arrayContaining([newPatient.name, newPatient.email, "Patient", "Active", "Not yet"]),
    );
    await expectAccessible(admin, "admin people page");
    await docScreenshot(admin, "people-page");
    await admin.context().close();
  });

  it("a doctor books the new patient with the picker, makes an invite link and starts the call", async () => {
    doctor = await (await newPersonContext(browser)).newPage();
    await logIn(doctor, stack.origin, doctorPerson);
    expect(new URL(doctor.url()).pathname).toBe("/doctor/appointments");
    await doctor.getByRole("table", { name: "Appointments" }).waitFor();

    await doctor.getByRole("button", { name: "Book appointment" }).click();
    const form = doctor.getByRole("form", { name: "Book an appointment" });
    await form.getByRole("combobox", { name: "Patient" }).click();
    await doctor.keyboard.type(newPatient.name.slice(0, 10));
    await doctor.getByRole("option", { name: `${newPatient.name} — ${newPatient.email}` }).click();

    const field = form.getByRole("button", { name: /^Date and time \(/ });
    const described = await form.getByText(/^In the clinic's time zone, /).textContent();
    const zone = /time zone, (\S+)$/.exec(described ?? "")?.[1];
    if (!zone) throw new Error("the date field does not name the clinic's time zone");
    // Three minutes ahead: in the future (bookable) and inside the doctor's join window.
    const start = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 3 * 60_000);
    await pickDateTime(doctor, field, start, zone);
    const when = wallClock(start, zone);
    expect(await field.textContent()).toContain(`${when.hour}:${when.minute}`);
    const duration = form.getByRole("textbox", { name: "Duration (minutes)" });
    await duration.fill("20");
    await docScreenshot(doctor, "booking-form");
    await form.getByRole("button", { name: "Book appointment" }).click();
    await form.waitFor({ state: "hidden" });

    const row = doctor.getByRole("row").filter({ hasText: newPatient.name });
    await row.waitFor();
    await row.getByRole("button", { name: new RegExp(`^Invite link for ${newPatient.name}`) }).click();
    const dialog = doctor.getByRole("dialog", { name: `Invite link for ${newPatient.name}` });
    await dialog.getByRole("button", { name: "Create invite link" }).click();
    const url = await dialog.getByRole("textbox", { name: "Invite link" }).inputValue();
    invitePath = new URL(url).pathname;
    expect(invitePath).toMatch(/^\/join\/[A-Za-z0-9_-]{43}$/);
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "hidden" });

    await row.getByRole("button", { name: "Start Video", disabled: false }).click();
    await doctor.waitForURL(/\/sessions\/sess-[0-9a-f-]+\/call$/);
    await doctor.getByRole("heading", { name: `Video Consultation: ${newPatient.name}` }).waitFor();
    await expectVideoPlaying(doctor, "Your video");
  });

  it("the patient opens the invite link on a phone, sees the doctor's name, joins, and both see each other", async () => {
    const patient = await (await newPersonContext(browser, { phone: true })).newPage();
    await patient.goto(`${stack.origin}${invitePath}`);
    const card = patient.getByRole("region", { name: "Your video consultation" });
    await card.getByText(`With ${doctorPerson.name}`).waitFor();
    // No account, so no sign-in form.
    expect(await patient.getByRole("textbox", { name: "Password" }).count()).toBe(0);
    const join = card.getByRole("button", { name: "Join", disabled: false });
    await join.waitFor();
    await expectAccessible(patient, "join page (phone), call started");
    await docScreenshot(patient, "join-phone");

    await join.click();
    await patient.getByRole("heading", { name: "Consent to a video consultation" }).waitFor();
    await patient.getByRole("button", { name: "I agree" }).click();
    // The waiting room (issue 12): the doctor lets the patient in.
    await admitPatient(doctor);
    await Promise.all([expectVideoPlaying(patient, "Doctor video"), expectVideoPlaying(doctor, "Patient video")]);
    expect(new URL(patient.url()).pathname).toBe(invitePath);
    await screenshot(patient, "join-phone-in-call");
  });
});
