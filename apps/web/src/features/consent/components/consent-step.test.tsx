import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ids } from "../../../test/fixtures.ts";
import { stubNetwork } from "../../../test/network.ts";
import { patient, renderWithProviders } from "../../../test/render.tsx";
import { ConsentStep } from "./consent-step.tsx";

const textPath = "/video/api/video/consent-text";
const answerPath = `/video/api/video/sessions/${ids.session}/consent`;
const clinicText = (
  version: number,
  text = "Video visits are private and are not recorded. You may stop at any time.",
) => ({
  status: 200,
  body: { clinic_id: "clinic-1", version, text, updated_at: "2026-11-30T10:00:00.000Z", required: true },
});
const stored = (decision: "GIVEN" | "DECLINED", version: number) => ({
  status: 200,
  body: { session_id: ids.session, decision, text_version: version, decided_at: "2026-12-01T10:00:00.000Z" },
});

describe("ConsentStep", () => {
  it("shows the clinic's current text and records GIVEN with its version before the call may start", async () => {
    const net = stubNetwork({ [`GET ${textPath}`]: clinicText(3), [`POST ${answerPath}`]: stored("GIVEN", 3) });
    const onGiven = vi.fn();
    renderWithProviders(<ConsentStep sessionId={ids.session} previous={null} onGiven={onGiven} />, patient);
    expect(await screen.findByLabelText("Consent text")).toHaveTextContent("not recorded");
    expect(screen.getByText("Consent text version 3")).toBeInTheDocument();
    expect(onGiven).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "I agree" }));
    await waitFor(() => expect(onGiven).toHaveBeenCalledTimes(1));
    expect(net.requests.find((r) => r.method === "POST")?.body).toEqual({ decision: "GIVEN", text_version: 3 });
  });

  it("declining keeps the call closed, says so plainly, and lets the patient read it again", async () => {
    stubNetwork({ [`GET ${textPath}`]: clinicText(1), [`POST ${answerPath}`]: stored("DECLINED", 1) });
    const onGiven = vi.fn();
    renderWithProviders(<ConsentStep sessionId={ids.session} previous={null} onGiven={onGiven} />, patient);
    await userEvent.click(await screen.findByRole("button", { name: "I do not agree" }));
    expect(await screen.findByRole("heading", { name: "You declined the video consultation" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("camera and microphone were not turned on");
    expect(onGiven).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Read the consent again" }));
    expect(await screen.findByRole("button", { name: "I agree" })).toBeInTheDocument();
  });

  it("opens on the declined screen for a patient who declined before", async () => {
    stubNetwork({ [`GET ${textPath}`]: clinicText(1) });
    renderWithProviders(<ConsentStep sessionId={ids.session} previous="DECLINED" onGiven={vi.fn()} />, patient);
    expect(await screen.findByRole("heading", { name: "You declined the video consultation" })).toBeInTheDocument();
  });

  it("shows the new text when the clinic changed it while the patient was reading", async () => {
    let version = 1;
    const net = stubNetwork({
      [`GET ${textPath}`]: () =>
        clinicText(version, `Version ${version} of the clinic's consent text for video visits.`),
      [`POST ${answerPath}`]: (request) =>
        (request.body as { text_version: number }).text_version === 2
          ? stored("GIVEN", 2)
          : {
              status: 409,
              body: { error: "The consent text has changed", status: 409, code: "CONSENT_TEXT_OUTDATED" },
            },
    });
    const onGiven = vi.fn();
    renderWithProviders(<ConsentStep sessionId={ids.session} previous={null} onGiven={onGiven} />, patient);
    await screen.findByText(/Version 1 of/);
    version = 2;
    await userEvent.click(screen.getByRole("button", { name: "I agree" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The consent text has changed");
    expect(await screen.findByText(/Version 2 of/)).toBeInTheDocument();
    expect(onGiven).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "I agree" }));
    await waitFor(() => expect(onGiven).toHaveBeenCalled());
    expect(net.requests.filter((r) => r.method === "POST").map((r) => r.body)).toEqual([
      { decision: "GIVEN", text_version: 1 },
      { decision: "GIVEN", text_version: 2 },
    ]);
  });
});
