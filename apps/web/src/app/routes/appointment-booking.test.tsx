import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { clinicTimeZone } from "../../lib/clinic-time-zone.ts";
import { appointment, ids, usage } from "../../test/fixtures.ts";
import { errorBody, stubNetwork } from "../../test/network.ts";
import { doctor, renderApp } from "../../test/render.tsx";

/** The URL of the last request the page made (with its query). */
function lastUrl(fetch: { mock: { calls: unknown[][] } }): URL {
  const input = fetch.mock.calls.at(-1)?.[0];
  if (!(input instanceof Request)) throw new Error("no request yet");
  return new URL(input.url);
}

const list = "/appointments/api/appointments";
const usagePath = "/video/api/video/metrics/usage";
const directory = "/auth/api/auth/directory";
const firstLoad = { timeout: 10_000 };
const berlin = { status: 200, body: { idle_logoff_min: 15, session_max_hours: 12, clinic_time_zone: "Europe/Berlin" } };
const john = { id: "pat-1", role: "PATIENT", name: "John Doe", email: "john@example.test" };
// 14:30 in Berlin (CET, UTC+1), far enough ahead to be in the future.
const scheduled = appointment({ start_time: "2099-12-02T13:30:00.000Z", duration_minutes: 30 });

const page = (items = [scheduled]) => ({
  status: 200,
  body: { total: items.length, limit: 100, offset: 0, appointments: items },
});

/** How Berlin's clock shows an instant: an independent reading of what the form sent. */
const berlinClock = (iso: string) => {
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", ...options }).format(new Date(iso));
  return `${part({ day: "numeric", month: "long", year: "numeric" })} ${part({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" })}`;
};

beforeEach(() => clinicTimeZone.set("UTC"));

async function openRow() {
  const cell = await screen.findByRole("cell", { name: "John Doe" }, firstLoad);
  const row = cell.closest("tr");
  if (!row) throw new Error("no row");
  return within(row);
}

/** Picks the 15th of next month (in the picker's calendar) at hh:mm. */
async function pickDateTime(field: HTMLElement, hours: string, minutes: string) {
  await userEvent.click(field);
  await userEvent.click(await screen.findByRole("button", { name: "Next month", hidden: true }));
  const day = await screen.findAllByRole("button", { name: /^15 [A-Z][a-z]+ \d{4}$/, hidden: true });
  const target = day.find((d) => !d.hasAttribute("data-outside")) ?? day[0];
  if (!target) throw new Error("no day 15");
  const label = target.getAttribute("aria-label") ?? "";
  await userEvent.click(target);
  await userEvent.type(screen.getByRole("spinbutton", { name: "Hours", hidden: true }), hours);
  await userEvent.type(screen.getByRole("spinbutton", { name: "Minutes", hidden: true }), minutes);
  await userEvent.click(screen.getByRole("button", { name: "Confirm date and time", hidden: true }));
  return label;
}

describe("dates name the clinic's zone", () => {
  it("the list shows each time in the clinic's zone, labelled", async () => {
    stubNetwork({
      "GET /auth/api/auth/client-config": berlin,
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
    });
    renderApp("/doctor/appointments", doctor);
    const row = await openRow();
    expect(row.getByRole("cell", { name: "2 Dec 2099, 14:30 (Europe/Berlin)" })).toBeInTheDocument();
  });
});

describe("booking form (doctor, for themselves)", () => {
  it("checks the form before sending, then books the directory's patient at the clinic's time, in UTC", async () => {
    const network = stubNetwork({
      "GET /auth/api/auth/client-config": berlin,
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`GET ${directory}`]: { status: 200, body: { users: [john] } },
      [`POST ${list}`]: { status: 201, body: scheduled },
    });
    renderApp("/doctor/appointments", doctor);
    await openRow();
    await userEvent.click(screen.getByRole("button", { name: "Book appointment" }));
    const form = await screen.findByRole("form", { name: "Book an appointment" });
    await userEvent.click(within(form).getByRole("button", { name: "Book appointment" }));
    expect(within(form).getByText("Choose a patient.")).toBeInTheDocument();
    expect(within(form).getByText("Choose the date and time.")).toBeInTheDocument();
    expect(network.search("POST", list)).toHaveLength(0);
    // A doctor books for themselves: no doctor picker.
    expect(within(form).queryByRole("textbox", { name: /Doctor/ })).not.toBeInTheDocument();

    await userEvent.type(within(form).getByRole("combobox", { name: "Patient" }), "jo");
    await waitFor(() => {
      const last = lastUrl(network.fetch);
      expect(last.pathname).toBe(directory);
      expect(last.searchParams.get("q")).toBe("jo");
      expect(last.searchParams.get("role")).toBe("PATIENT");
    });
    await userEvent.click(await screen.findByRole("option", { name: "John Doe — john@example.test", hidden: true }));

    const field = within(form).getByRole("button", { name: /^Date and time \(Europe\/Berlin\)/ });
    const day = await pickDateTime(field, "14", "30");
    const duration = within(form).getByRole("textbox", { name: "Duration (minutes)" });
    await userEvent.clear(duration);
    await userEvent.type(duration, "45");
    await userEvent.click(within(form).getByRole("button", { name: "Book appointment" }));

    await waitFor(() => expect(network.search("POST", list)).toHaveLength(1));
    const body = network.search("POST", list)[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({ patient_id: "pat-1", duration_minutes: 45, video_enabled: true });
    expect(body).not.toHaveProperty("doctor_id");
    expect(body).not.toHaveProperty("patient_name");
    expect(body.start_time).toMatch(/Z$/);
    // The instant sent is 14:30 on Berlin's clock that day (not the browser's zone).
    expect(berlinClock(body.start_time as string)).toBe(`${day} 14:30`);
    await waitFor(() => expect(screen.queryByRole("form", { name: "Book an appointment" })).not.toBeInTheDocument());
  }, 60_000);

  it("says when the doctor is busy then, and when the patient is unknown", async () => {
    let answer = errorBody(409, "DOCTOR_UNAVAILABLE", "The doctor already has an appointment at that time");
    const network = stubNetwork({
      "GET /auth/api/auth/client-config": berlin,
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`GET ${directory}`]: { status: 200, body: { users: [john] } },
      [`POST ${list}`]: () => answer,
    });
    renderApp("/doctor/appointments", doctor);
    await openRow();
    await userEvent.click(screen.getByRole("button", { name: "Book appointment" }));
    const form = await screen.findByRole("form", { name: "Book an appointment" });
    await userEvent.click(within(form).getByRole("combobox", { name: "Patient" }));
    await userEvent.click(await screen.findByRole("option", { name: "John Doe — john@example.test", hidden: true }));
    await pickDateTime(within(form).getByRole("button", { name: /^Date and time/ }), "09", "00");
    await userEvent.click(within(form).getByRole("button", { name: "Book appointment" }));
    expect(
      await within(form).findByText("The doctor already has an appointment at that time. Choose another time."),
    ).toBeInTheDocument();

    answer = errorBody(400, "PATIENT_INACTIVE", "This patient's account is deactivated");
    await userEvent.click(within(form).getByRole("button", { name: "Book appointment" }));
    // A refusal shown on a field does not block sending again.
    await waitFor(() => expect(network.search("POST", list)).toHaveLength(2));
    expect(await within(form).findByText("This patient's account is deactivated")).toBeInTheDocument();
  }, 60_000);
});

describe("admin appointments page", () => {
  it("lists every doctor's appointments and books for a chosen doctor", async () => {
    const admin = { ...doctor, id: "adm-1", role: "ADMIN" as const, name: "Alex Admin" };
    const network = stubNetwork({
      "GET /auth/api/auth/client-config": berlin,
      [`GET ${list}`]: page([
        scheduled,
        appointment({ id: "appt-2", doctor_name: "Dr. Bo Lee", patient_name: "Max Roe" }),
      ]),
      [`GET ${directory}`]: (request) => ({
        status: 200,
        body: {
          users: request.path && [john, { id: "doc-2", role: "DOCTOR", name: "Dr. Bo Lee", email: "bo@x.test" }],
        },
      }),
    });
    renderApp("/admin/appointments", admin);
    const row = await openRow();
    expect(row.getByRole("cell", { name: "Dr. Ada Smith" })).toBeInTheDocument();
    // No call buttons on the admin's list; the changes are there.
    expect(row.queryByRole("button", { name: "Start Video" })).not.toBeInTheDocument();
    expect(row.getByRole("button", { name: /^Reschedule John Doe/ })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Book appointment" }));
    const form = await screen.findByRole("form", { name: "Book an appointment" });
    await userEvent.click(within(form).getByRole("button", { name: "Book appointment" }));
    expect(within(form).getByText("Choose a doctor.")).toBeInTheDocument();
    await userEvent.click(within(form).getByRole("combobox", { name: "Doctor" }));
    await waitFor(() =>
      expect(
        network.requests.some((r) => r.path === directory) &&
          network.fetch.mock.calls.some(
            ([input]) => new URL((input as Request).url).searchParams.get("role") === "DOCTOR",
          ),
      ).toBe(true),
    );
  });
});

describe("cancel and reschedule a scheduled appointment", () => {
  it("cancels after confirmation", async () => {
    let cancelled = false;
    const network = stubNetwork({
      "GET /auth/api/auth/client-config": berlin,
      [`GET ${list}`]: () => page([{ ...scheduled, status: cancelled ? "CANCELLED" : "SCHEDULED" }]),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`POST ${list}/${ids.appointment}/cancel`]: () => {
        cancelled = true;
        return { status: 200, body: { ...scheduled, status: "CANCELLED" } };
      },
    });
    renderApp("/doctor/appointments", doctor);
    const row = await openRow();
    await userEvent.click(row.getByRole("button", { name: /^Cancel appointment John Doe/ }));
    const dialog = await screen.findByRole("dialog", { name: "Cancel this appointment?" });
    expect(dialog).toHaveTextContent("2 Dec 2099, 14:30 (Europe/Berlin)");
    await userEvent.click(within(dialog).getByRole("button", { name: "Keep appointment" }));
    expect(network.search("POST", `${list}/${ids.appointment}/cancel`)).toHaveLength(0);

    await userEvent.click(row.getByRole("button", { name: /^Cancel appointment John Doe/ }));
    const again = await screen.findByRole("dialog", { name: "Cancel this appointment?" });
    await userEvent.click(within(again).getByRole("button", { name: "Cancel appointment" }));
    await waitFor(() => expect(network.search("POST", `${list}/${ids.appointment}/cancel`)).toHaveLength(1));
    expect(await (await openRow()).findByText("CANCELLED")).toBeInTheDocument();
    expect((await openRow()).queryByRole("button", { name: /^Reschedule/ })).not.toBeInTheDocument();
  });

  it("reschedules from the current time in the clinic's zone; a clash is shown on the time", async () => {
    let clash = true;
    const network = stubNetwork({
      "GET /auth/api/auth/client-config": berlin,
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`POST ${list}/${ids.appointment}/reschedule`]: () =>
        clash
          ? errorBody(409, "DOCTOR_UNAVAILABLE", "The doctor already has an appointment at that time")
          : { status: 200, body: scheduled },
    });
    renderApp("/doctor/appointments", doctor);
    await userEvent.click((await openRow()).getByRole("button", { name: /^Reschedule John Doe/ }));
    const form = await screen.findByRole("form", { name: "Reschedule appointment" });
    expect(within(form).getByRole("button", { name: /^New date and time \(Europe\/Berlin\)/ })).toHaveTextContent(
      "2 Dec 2099, 14:30",
    );
    const duration = within(form).getByRole("textbox", { name: "Duration (minutes)" });
    await userEvent.clear(duration);
    await userEvent.type(duration, "60");
    await userEvent.click(within(form).getByRole("button", { name: "Reschedule" }));
    expect(
      await within(form).findByText("The doctor already has an appointment at that time. Choose another time."),
    ).toBeInTheDocument();
    // Unchanged time: the same instant goes back, with the new duration.
    expect(network.search("POST", `${list}/${ids.appointment}/reschedule`)[0]?.body).toEqual({
      start_time: "2099-12-02T13:30:00.000Z",
      duration_minutes: 60,
    });
    clash = false;
    await userEvent.click(within(form).getByRole("button", { name: "Reschedule" }));
    await waitFor(() => expect(screen.queryByRole("form", { name: "Reschedule appointment" })).not.toBeInTheDocument());
  });
});

describe("invite link", () => {
  it("creates a link, shows it with Copy and its expiry, and revokes", async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const invites = `${list}/${ids.appointment}/invites`;
    const network = stubNetwork({
      "GET /auth/api/auth/client-config": berlin,
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`POST ${invites}`]: {
        status: 201,
        body: { url: "http://localhost:8000/join/tok-abc", expires_at: "2099-12-02T14:30:00.000Z" },
      },
      [`DELETE ${invites}`]: { status: 204 },
    });
    renderApp("/doctor/appointments", doctor);
    await userEvent.click((await openRow()).getByRole("button", { name: /^Invite link for John Doe/ }));
    const dialog = await screen.findByRole("dialog", { name: "Invite link for John Doe" });
    // Nothing is created until asked.
    expect(network.search("POST", invites)).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Create invite link" }));
    expect(await within(dialog).findByRole("textbox", { name: "Invite link" })).toHaveValue(
      "http://localhost:8000/join/tok-abc",
    );
    expect(dialog).toHaveTextContent("Valid until 2 Dec 2099, 15:30 (Europe/Berlin)");
    await userEvent.click(within(dialog).getByRole("button", { name: "Copy invite link" }));
    expect(writeText).toHaveBeenCalledWith("http://localhost:8000/join/tok-abc");
    expect(await within(dialog).findByText("Copied to the clipboard.")).toBeInTheDocument();

    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke invite links" }));
    await waitFor(() => expect(network.search("DELETE", invites)).toHaveLength(1));
    expect(await within(dialog).findByRole("status")).toHaveTextContent(
      "Every invite link of this appointment was revoked",
    );
    expect(within(dialog).queryByRole("textbox", { name: "Invite link" })).not.toBeInTheDocument();
  });

  it("says why when the appointment cannot have one", async () => {
    stubNetwork({
      "GET /auth/api/auth/client-config": berlin,
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`POST ${list}/${ids.appointment}/invites`]: errorBody(
        409,
        "APPOINTMENT_NOT_INVITABLE",
        "Only a scheduled video appointment can have an invite link",
      ),
    });
    renderApp("/doctor/appointments", doctor);
    await userEvent.click((await openRow()).getByRole("button", { name: /^Invite link for John Doe/ }));
    const dialog = await screen.findByRole("dialog", { name: "Invite link for John Doe" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Create invite link" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Only a scheduled video appointment can have an invite link",
    );
  });
});
