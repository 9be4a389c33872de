import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { authTokens } from "../../lib/auth-tokens.ts";
import { clinicTimeZone } from "../../lib/clinic-time-zone.ts";
import { appointment, ids, session } from "../../test/fixtures.ts";
import { errorBody, stubNetwork } from "../../test/network.ts";
import { patient, renderApp } from "../../test/render.tsx";

const inviteToken = "inv_0123456789abcdefghijklmnopqrstuvwxyzABCDE";
const exchangePath = "/auth/api/auth/invite-token";
const appointmentPath = `/appointments/api/appointments/${ids.appointment}`;
const start = "2026-12-02T14:30:00.000Z";
const exchanged = (access = "invite-access") => ({
  status: 200,
  body: {
    access_token: access,
    token_type: "Bearer",
    expires_in: 900,
    user: { ...patient, email: "" },
    invite: {
      appointment_id: ids.appointment,
      doctor_name: "Dr. Ada Smith",
      start_time: start,
      duration_minutes: 30,
      status: "SCHEDULED",
      session_id: null,
      expires_at: "2026-12-02T15:30:00.000Z",
    },
  },
});
const appointmentAnswer = (overrides: Parameters<typeof appointment>[0] = {}) => ({
  status: 200,
  body: appointment({ start_time: start, ...overrides }),
});
const config = {
  status: 200,
  body: { idle_logoff_min: 15, session_max_hours: 12, clinic_time_zone: "Europe/Berlin" },
};

/** Opens the invite link in a browser that has never signed in. */
function openLink() {
  const view = renderApp(`/join/${inviteToken}`, null);
  return view;
}

const noLoginForm = () => {
  expect(screen.queryByRole("textbox", { name: "Email" })).not.toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Log in" })).not.toBeInTheDocument();
};

beforeEach(() => {
  clinicTimeZone.set("UTC");
});

describe("/join/<token>: a patient with an invite link and no account", () => {
  it("shows the doctor and the time in the clinic's zone, and waits for the doctor to start", async () => {
    const network = stubNetwork({
      [`POST ${exchangePath}`]: exchanged(),
      [`GET ${appointmentPath}`]: appointmentAnswer(),
      "GET /auth/api/auth/client-config": config,
    });
    openLink();
    const card = await screen.findByRole("region", { name: "Your video consultation" }, { timeout: 10_000 });
    expect(card).toHaveTextContent("With Dr. Ada Smith");
    await waitFor(() => expect(card).toHaveTextContent("2 Dec 2026, 15:30 (Europe/Berlin)"));
    expect(within(card).getByRole("status")).toHaveTextContent("Waiting for the doctor to start");
    expect(within(card).getByRole("button", { name: "Join" })).toBeDisabled();
    expect(within(card).getByRole("button", { name: "Check camera and microphone" })).toBeInTheDocument();
    noLoginForm();
    expect(network.search("POST", exchangePath)[0]?.body).toEqual({ invite_token: inviteToken });
    // The appointment is read with the invite's access token; no list is ever asked for.
    expect(network.search("GET", appointmentPath)[0]?.authorization).toBe("Bearer invite-access");
    expect(network.requests.some((r) => r.path === "/appointments/api/appointments")).toBe(false);
    expect(authTokens.invite()).toMatchObject({ token: inviteToken, appointment_id: ids.appointment });
  });

  it("joins once the doctor has started: Join opens the consent step of the call screen with the invite's token", async () => {
    const network = stubNetwork({
      [`POST ${exchangePath}`]: exchanged(),
      [`GET ${appointmentPath}`]: appointmentAnswer({ status: "IN_PROGRESS", session_id: ids.session }),
      [`GET /video/api/video/sessions/${ids.session}`]: {
        status: 200,
        body: session({ status: "IN_PROGRESS", consent: null }),
      },
      "GET /video/api/video/consent-text": {
        status: 200,
        body: {
          clinic_id: "clinic-1",
          version: 2,
          text: "Video visits are private.",
          updated_at: start,
          required: true,
        },
      },
    });
    openLink();
    const join = await screen.findByRole("button", { name: "Join" }, { timeout: 10_000 });
    await waitFor(() => expect(join).toBeEnabled());
    expect(screen.getByRole("status")).toHaveTextContent("Your doctor has started the consultation");
    await userEvent.click(join);
    expect(
      await screen.findByRole("heading", { name: "Consent to a video consultation" }, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(network.search("GET", `/video/api/video/sessions/${ids.session}`)[0]?.authorization).toBe(
      "Bearer invite-access",
    );
    noLoginForm();
  });

  it.each([
    [404, "INVITE_NOT_FOUND", "This link does not work"],
    [410, "INVITE_REVOKED", "This link has been withdrawn"],
    [410, "INVITE_EXPIRED", "This link has expired"],
    [410, "CONSULTATION_ENDED", "The consultation has ended"],
    [410, "APPOINTMENT_CANCELLED", "This appointment was cancelled"],
  ])("exchange answered %i %s: says so plainly, with no login form", async (status, code, title) => {
    stubNetwork({ [`POST ${exchangePath}`]: errorBody(status, code, "refused") });
    openLink();
    expect(await screen.findByRole("status", {}, { timeout: 10_000 })).toHaveTextContent(title);
    noLoginForm();
    expect(authTokens.get()).toBeNull();
  });

  it("the consultation ends while the page is open: 'The consultation has ended'", async () => {
    let status: "SCHEDULED" | "COMPLETED" = "SCHEDULED";
    stubNetwork({
      [`POST ${exchangePath}`]: exchanged(),
      [`GET ${appointmentPath}`]: () => appointmentAnswer({ status }),
    });
    openLink();
    await screen.findByText(/Waiting for the doctor to start/, {}, { timeout: 10_000 });
    status = "COMPLETED";
    expect(await screen.findByText("The consultation has ended", {}, { timeout: 10_000 })).toBeInTheDocument();
    noLoginForm();
  });

  it("renews an expired access token by exchanging the link again; a revoked link then says so", async () => {
    let exchanges = 0;
    const network = stubNetwork({
      [`POST ${exchangePath}`]: () => {
        exchanges += 1;
        if (exchanges === 1) return exchanged("first-access");
        if (exchanges === 2) return exchanged("second-access");
        return errorBody(410, "INVITE_REVOKED", "revoked");
      },
      [`GET ${appointmentPath}`]: ({ authorization }) =>
        authorization === "Bearer second-access"
          ? appointmentAnswer()
          : errorBody(401, "UNAUTHORIZED", "Token expired"),
    });
    openLink();
    // 401 with the first token: exchanged again, the request replayed with the new one.
    expect(await screen.findByText(/Waiting for the doctor to start/, {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(authTokens.accessToken()).toBe("second-access");
    // The clinic revokes the link: the next renewal is refused and the page says why.
    authTokens.set({ access_token: "stale", expires_in: 900, user: patient }, Date.now(), authTokens.invite());
    expect(await screen.findByText("This link has been withdrawn", {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(network.search("POST", exchangePath).length).toBeGreaterThanOrEqual(3);
    noLoginForm();
  });
});
