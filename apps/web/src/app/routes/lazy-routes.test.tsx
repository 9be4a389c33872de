import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appointment, ids, session } from "../../test/fixtures.ts";
import { stubNetwork } from "../../test/network.ts";
import { patient, renderApp } from "../../test/render.tsx";

const preload = vi.hoisted(() => vi.fn(async () => undefined));
vi.mock("./lazy-routes.ts", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./lazy-routes.ts")>()),
  preloadCallScreen: preload,
}));

const list = "/appointments/api/appointments";
const details = `/video/api/video/sessions/${ids.session}`;
const page = (items: unknown[]) => ({
  status: 200,
  body: { total: items.length, limit: 100, offset: 0, appointments: items },
});

describe("the call screen fetched ahead of the click", () => {
  afterEach(() => preload.mockClear());

  it("is preloaded on the patient's page once the appointment's join window is open", async () => {
    stubNetwork({
      [`GET ${list}`]: page([appointment({ session_id: ids.session })]),
      [`GET ${details}`]: { status: 200, body: session({ status: "CREATED" }) },
    });
    renderApp("/patient", patient);
    expect(await screen.findByText(/Your doctor will start the call/)).toBeInTheDocument();
    await waitFor(() => expect(preload).toHaveBeenCalled());
  });

  it("is not fetched for an appointment days away", async () => {
    const later = new Date(Date.now() + 3 * 86_400_000).toISOString();
    stubNetwork({ [`GET ${list}`]: page([appointment({ start_time: later })]) });
    renderApp("/patient", patient);
    expect(await screen.findByText(/Your doctor will start the call/)).toBeInTheDocument();
    expect(preload).not.toHaveBeenCalled();
  });
});
