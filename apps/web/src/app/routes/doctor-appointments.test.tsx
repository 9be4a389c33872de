import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { appointment, ids, usage } from "../../test/fixtures.ts";
import { errorBody, stubNetwork } from "../../test/network.ts";
import { doctor, renderApp } from "../../test/render.tsx";

const list = "/appointments/api/appointments";
const start = `/video/api/video/sessions/${ids.appointment}/start`;
const join = `/video/api/video/sessions/${ids.session}/join`;
const usagePath = "/video/api/video/metrics/usage";

const page = (items = [appointment()]) => ({
  status: 200,
  body: { total: items.length, limit: 100, offset: 0, appointments: items },
});

async function startButton() {
  const row = (await screen.findByRole("cell", { name: "John Doe" })).closest("tr");
  if (!row) throw new Error("no row");
  return within(row).getByRole("button", { name: "Start Video" });
}

describe("appointments list", () => {
  it("shows patient, status badge, 🎥 and the action for each state", async () => {
    stubNetwork({
      [`GET ${list}`]: page([
        appointment(),
        appointment({ id: "appt-2", patient_name: "Jane Smith", status: "IN_PROGRESS", session_id: ids.session }),
        appointment({ id: "appt-3", patient_name: "Max Roe", status: "COMPLETED", session_id: ids.session }),
      ]),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
    });
    renderApp("/doctor/appointments", doctor);
    expect(await startButton()).toBeEnabled();
    expect(screen.getByRole("button", { name: "View Session" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Add Notes" })).toBeEnabled();
    expect(screen.getAllByRole("img", { name: "Video consultation" })).toHaveLength(3);
    expect(screen.getByText("IN_PROGRESS")).toBeInTheDocument();
  });

  it("filters by status", async () => {
    stubNetwork({
      [`GET ${list}`]: page([
        appointment(),
        appointment({ id: "appt-3", patient_name: "Max Roe", status: "COMPLETED" }),
      ]),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
    });
    renderApp("/doctor/appointments", doctor);
    await screen.findByRole("cell", { name: "Max Roe" });
    await userEvent.click(screen.getByRole("radio", { name: "COMPLETED" }));
    expect(screen.queryByRole("cell", { name: "John Doe" })).not.toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "Max Roe" })).toBeInTheDocument();
  });
});

describe("error states on Start Video", () => {
  it("409 SESSION_ALREADY_STARTED joins the existing session instead", async () => {
    const network = stubNetwork({
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`POST ${start}`]: errorBody(409, "SESSION_ALREADY_STARTED", "Session already started for this appointment", {
        session_id: ids.session,
      }),
      [`POST ${join}`]: errorBody(503, "SERVICE_UNAVAILABLE", "down"),
    });
    const { router } = renderApp("/doctor/appointments", doctor);
    await userEvent.click(await startButton());
    await waitFor(() => expect(router.state.location.pathname).toBe(`/sessions/${ids.session}/call`));
    await waitFor(() => expect(network.search("POST", join)).toHaveLength(1));
  });

  it("404 shows a notice and stays on a refreshed list", async () => {
    const network = stubNetwork({
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`POST ${start}`]: errorBody(404, "APPOINTMENT_NOT_FOUND", "Appointment not found"),
    });
    const { router } = renderApp("/doctor/appointments", doctor);
    await userEvent.click(await startButton());
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Appointment not found");
    expect(router.state.location.pathname).toBe("/doctor/appointments");
    await waitFor(() => expect(network.search("GET", list).length).toBeGreaterThanOrEqual(2));
  });

  it("403 says the doctor is not authorized", async () => {
    stubNetwork({
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`POST ${start}`]: errorBody(403, "FORBIDDEN", "Forbidden"),
    });
    renderApp("/doctor/appointments", doctor);
    await userEvent.click(await startButton());
    expect(await screen.findByRole("alert")).toHaveTextContent("You are not authorized to access this appointment");
  });

  it("503 says the service is temporarily unavailable", async () => {
    stubNetwork({
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`POST ${start}`]: errorBody(503, "APPOINTMENTS_UNAVAILABLE", "Appointments service unavailable"),
    });
    renderApp("/doctor/appointments", doctor);
    await userEvent.click(await startButton());
    expect(await screen.findByRole("alert")).toHaveTextContent(/service is temporarily unavailable/);
  });

  it("429 FREE_TIER_EXCEEDED disables video buttons with the reason", async () => {
    stubNetwork({
      [`GET ${list}`]: page(),
      [`GET ${usagePath}`]: { status: 200, body: usage() },
      [`POST ${start}`]: errorBody(429, "FREE_TIER_EXCEEDED", "Free tier exceeded"),
    });
    renderApp("/doctor/appointments", doctor);
    const button = await startButton();
    await userEvent.click(button);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Free Tier limit exceeded. Video consultations disabled.",
    );
    expect(await startButton()).toBeDisabled();
  });
});

describe("free tier EXCEEDED from the usage endpoint", () => {
  it("disables Start Video before any click and says why", async () => {
    const network = stubNetwork({
      [`GET ${list}`]: page(),
      // The doctor's own share is small; the clinic's free tier is what stops calls.
      [`GET ${usagePath}`]: {
        status: 200,
        body: usage({ status: "HEALTHY", clinic_status: "EXCEEDED", usage_percentage: 4 }),
      },
    });
    renderApp("/doctor/appointments", doctor);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Free Tier limit exceeded. Video consultations disabled.",
    );
    const button = await startButton();
    expect(button).toBeDisabled();
    await userEvent.click(button);
    expect(network.search("POST", start)).toHaveLength(0);
  });
});
