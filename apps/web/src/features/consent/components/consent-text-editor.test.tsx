import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { stubNetwork } from "../../../test/network.ts";
import { renderWithProviders } from "../../../test/render.tsx";
import { ConsentTextEditor } from "./consent-text-editor.tsx";

const admin = {
  id: "adm-1",
  role: "ADMIN" as const,
  name: "Ad Min",
  email: "admin@demo.clinic",
  clinic_id: "clinic-1",
};
const path = "/video/api/video/consent-text";
const published = (version: number, text: string) => ({
  status: 200,
  body: { clinic_id: "clinic-1", version, text, updated_at: "2026-12-01T09:00:00.000Z", required: true },
});

describe("ConsentTextEditor", () => {
  it("publishes a new version of the clinic's text", async () => {
    const next = "Our video visits are private, encrypted and never recorded. You may stop at any time.";
    const net = stubNetwork({
      [`GET ${path}`]: {
        ...published(0, "The built-in default text of the product."),
        body: { ...published(0, "The built-in default text of the product.").body, updated_at: null },
      },
      [`PUT ${path}`]: published(1, next),
    });
    renderWithProviders(<ConsentTextEditor />, admin);
    expect(await screen.findByText(/Version 0: the built-in default text/)).toBeInTheDocument();
    const field = screen.getByRole("textbox", { name: "Consent text" });
    expect(screen.getByRole("button", { name: "Publish new version" })).toBeDisabled();
    await userEvent.clear(field);
    await userEvent.type(field, next);
    await userEvent.click(screen.getByRole("button", { name: "Publish new version" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Published as version 1.");
    expect(net.search("PUT", path).map((r) => r.body)).toEqual([{ text: next }]);
    await waitFor(() => expect(screen.getByText(/Version 1, published/)).toBeInTheDocument());
  });

  it("will not publish a text that is too short", async () => {
    const net = stubNetwork({ [`GET ${path}`]: published(2, "A consent text that is long enough.") });
    renderWithProviders(<ConsentTextEditor />, admin);
    const field = await screen.findByRole("textbox", { name: "Consent text" });
    await userEvent.clear(field);
    await userEvent.type(field, "Too short");
    expect(screen.getByText("Write at least 20 characters.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Publish new version" })).toBeDisabled();
    expect(net.search("PUT", path)).toEqual([]);
  });
});
