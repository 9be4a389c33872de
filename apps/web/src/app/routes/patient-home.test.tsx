import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { appointment, ids, session } from "../../test/fixtures.ts";
import { stubNetwork } from "../../test/network.ts";
import { patient, renderApp } from "../../test/render.tsx";

const list = "/appointments/api/appointments";
const details = `/video/api/video/sessions/${ids.session}`;
const page = (items: unknown[]) => ({
  status: 200,
  body: { total: items.length, limit: 100, offset: 0, appointments: items },
});

describe("patient page", () => {
  it("waits with a clear message and Join disabled until the doctor starts", async () => {
    stubNetwork({
      [`GET ${list}`]: page([appointment({ session_id: ids.session })]),
      [`GET ${details}`]: { status: 200, body: session({ status: "CREATED" }) },
    });
    renderApp("/patient", patient);
    expect(await screen.findByText(/Your doctor will start the call/)).toBeInTheDocument();
    expect(screen.getByText("With Dr. Ada Smith")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Join" })).toBeDisabled();
  });

  it("enables Join when the session is in progress and opens the call", async () => {
    stubNetwork({
      [`GET ${list}`]: page([appointment({ session_id: ids.session })]),
      [`GET ${details}`]: { status: 200, body: session({ status: "IN_PROGRESS" }) },
    });
    const { router } = renderApp("/patient", patient);
    const join = await screen.findByRole("button", { name: "Join" });
    await waitFor(() => expect(join).toBeEnabled());
    expect(screen.getByText("Your doctor has started the consultation.")).toBeInTheDocument();
    await userEvent.click(join);
    await waitFor(() => expect(router.state.location.pathname).toBe(`/sessions/${ids.session}/call`));
  });

  it("says so when there is no upcoming appointment", async () => {
    stubNetwork({ [`GET ${list}`]: page([appointment({ status: "COMPLETED" })]) });
    renderApp("/patient", patient);
    expect(await screen.findByText("You have no upcoming video appointments.")).toBeInTheDocument();
  });
});
