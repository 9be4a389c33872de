import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { errorBody, stubNetwork } from "../../../test/network.ts";
import { renderWithProviders } from "../../../test/render.tsx";
import { admin, ehrUrl, webhookId, webhooksPath } from "../test-fixtures.ts";
import { AddWebhookForm } from "./add-webhook-form.tsx";

const secret = "whsec_A0fffeEquoxyYKZAv+Pz+1jYVpaWPDaLXMKiMYevAP0=";
const created = (events: string[]) => ({
  status: 201,
  body: { id: webhookId, url: ehrUrl, events, created_at: "2026-01-25T14:00:00.000Z", secret },
});

const originalClipboard = Object.getOwnPropertyDescriptor(window.navigator, "clipboard");
afterEach(() => {
  if (originalClipboard) Object.defineProperty(window.navigator, "clipboard", originalClipboard);
  else Reflect.deleteProperty(window.navigator, "clipboard");
});

describe("AddWebhookForm", () => {
  it("registers an endpoint and shows its signing secret once, with Copy and Done", async () => {
    const user = userEvent.setup();
    const net = stubNetwork({
      [`POST ${webhooksPath}`]: created(["session.started", "session.ended", "session.notes_updated"]),
    });
    renderWithProviders(<AddWebhookForm />, admin);
    await user.type(screen.getByRole("textbox", { name: "Endpoint URL" }), `  ${ehrUrl} `);
    await user.click(screen.getByRole("checkbox", { name: /usage\.threshold_crossed/ }));
    await user.click(screen.getByRole("button", { name: "Add endpoint" }));

    const box = await screen.findByRole("region", { name: "Signing secret" });
    expect(box).toHaveTextContent("Copy this signing secret now: it will not be shown again");
    expect(screen.getByRole("textbox", { name: "Signing secret" })).toHaveValue(secret);
    expect(net.search("POST", webhooksPath).map((r) => r.body)).toEqual([
      { url: ehrUrl, events: ["session.started", "session.ended", "session.notes_updated"] },
    ]);

    await user.click(screen.getByRole("button", { name: "Copy secret" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Copied to the clipboard.");
    expect(await navigator.clipboard.readText()).toBe(secret);

    await user.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByRole("region", { name: "Signing secret" })).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue(secret)).not.toBeInTheDocument();
    expect(screen.queryByText(secret)).not.toBeInTheDocument();
    // The form is back, empty, with every event ticked again.
    expect(screen.getByRole("textbox", { name: "Endpoint URL" })).toHaveValue("");
    expect(screen.getByRole("checkbox", { name: /usage\.threshold_crossed/ })).toBeChecked();
  });

  it("tells how to copy by hand when the clipboard is not available", async () => {
    const user = userEvent.setup();
    Object.defineProperty(window.navigator, "clipboard", { value: undefined, configurable: true });
    stubNetwork({ [`POST ${webhooksPath}`]: created(["session.started"]) });
    renderWithProviders(<AddWebhookForm />, admin);
    await user.type(screen.getByRole("textbox", { name: "Endpoint URL" }), ehrUrl);
    await user.click(screen.getByRole("button", { name: "Add endpoint" }));
    await user.click(await screen.findByRole("button", { name: "Copy secret" }));
    expect(await screen.findByRole("status")).toHaveTextContent(
      "Copying is not available in this browser: select the secret above and copy it yourself",
    );
    expect(screen.getByRole("textbox", { name: "Signing secret" })).toHaveValue(secret);
  });

  it("explains a private address refused by the server", async () => {
    const net = stubNetwork({
      [`POST ${webhooksPath}`]: errorBody(
        400,
        "WEBHOOK_URL_PRIVATE",
        "The webhook URL points at a private, loopback or otherwise non-public address",
        { range: "loopback" },
      ),
    });
    renderWithProviders(<AddWebhookForm />, admin);
    const field = screen.getByRole("textbox", { name: "Endpoint URL" });
    await userEvent.type(field, "http://127.0.0.1:3000/hook");
    await userEvent.click(screen.getByRole("button", { name: "Add endpoint" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The endpoint was not added");
    expect(alert).toHaveTextContent(
      "The webhook URL points at a private, loopback or otherwise non-public address. Private and loopback addresses",
    );
    expect(alert).toHaveTextContent("unless the video service runs with WEBHOOK_ALLOW_PRIVATE=1");
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByRole("region", { name: "Signing secret" })).not.toBeInTheDocument();
    expect(net.search("POST", webhooksPath)).toHaveLength(1);

    // Editing the address clears the refusal.
    await userEvent.type(field, "x");
    await waitFor(() => expect(screen.queryByRole("alert")).not.toBeInTheDocument());
  });

  it("needs a URL and at least one event before sending anything", async () => {
    const net = stubNetwork({});
    renderWithProviders(<AddWebhookForm />, admin);
    await userEvent.click(screen.getByRole("button", { name: "Add endpoint" }));
    expect(screen.getByText("Enter the endpoint's URL.")).toBeInTheDocument();

    await userEvent.type(screen.getByRole("textbox", { name: "Endpoint URL" }), ehrUrl);
    for (const box of screen.getAllByRole("checkbox")) await userEvent.click(box);
    expect(screen.getByText("Choose at least one event.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Add endpoint" }));
    expect(net.requests).toEqual([]);
  });
});
