import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { admin, ehrUrl, endpoint, listed, webhookId, webhooksPath } from "../../features/webhooks/test-fixtures.ts";
import { stubNetwork } from "../../test/network.ts";
import { doctor, renderApp } from "../../test/render.tsx";

describe("/admin/webhooks", () => {
  it("is in the admin's navigation, and a new endpoint joins the list once created", async () => {
    let registered = false;
    const net = stubNetwork({
      [`GET ${webhooksPath}`]: () => (registered ? listed(endpoint()) : listed()),
      [`POST ${webhooksPath}`]: () => {
        registered = true;
        return {
          status: 201,
          body: {
            id: webhookId,
            url: ehrUrl,
            events: endpoint().events,
            created_at: "2026-01-25T14:00:00.000Z",
            secret: "whsec_c2VjcmV0",
          },
        };
      },
    });
    renderApp("/admin/webhooks", admin);
    expect(await screen.findByRole("heading", { level: 1, name: "Webhooks" })).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Main navigation" });
    expect(within(nav).getByRole("link", { name: "Webhooks" })).toHaveAttribute("href", "/admin/webhooks");
    expect(await screen.findByText(/No webhook endpoints yet/)).toBeInTheDocument();

    await userEvent.type(screen.getByRole("textbox", { name: "Endpoint URL" }), ehrUrl);
    await userEvent.click(screen.getByRole("button", { name: "Add endpoint" }));
    expect(await screen.findByRole("region", { name: "Signing secret" })).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "Webhook endpoints" });
    expect(within(table).getByRole("cell", { name: ehrUrl })).toBeInTheDocument();
    expect(net.search("GET", webhooksPath)).toHaveLength(2);
  });

  it("is for admins only", async () => {
    const net = stubNetwork({});
    renderApp("/admin/webhooks", doctor);
    expect(await screen.findByRole("alert")).toHaveTextContent("This page is not available to your account.");
    expect(screen.queryByRole("heading", { name: "Webhooks" })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Webhooks" })).not.toBeInTheDocument();
    expect(net.search("GET", webhooksPath)).toEqual([]);
  });
});
