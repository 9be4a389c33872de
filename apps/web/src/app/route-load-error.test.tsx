import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { patient, renderApp } from "../test/render.tsx";

// A screen's chunk that cannot be fetched (offline, or a new version deployed meanwhile).
vi.mock("./routes/patient-home.tsx", () => {
  throw new TypeError("Failed to fetch dynamically imported module");
});
vi.mock("./routes/session-call.tsx", () => {
  throw new TypeError("Failed to fetch dynamically imported module");
});

describe("a screen whose code cannot be fetched", () => {
  it("says so in words and offers a reload, not the router's developer page", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    renderApp("/patient", patient);
    expect(await screen.findByRole("alert")).toHaveTextContent("This page could not be loaded");
    expect(screen.getByRole("button", { name: "Reload" })).toBeInTheDocument();
    expect(screen.queryByText(/Unexpected Application Error/)).not.toBeInTheDocument();
  });

  it("says the same for the call screen (loaded ahead of the click, React.lazy)", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    renderApp("/sessions/sess-00000000-0000-4000-8000-000000000000/call", patient);
    expect(await screen.findByRole("alert")).toHaveTextContent("This page could not be loaded");
    expect(screen.getByRole("button", { name: "Reload" })).toBeInTheDocument();
  });
});
