import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { stubNetwork } from "../../../test/network.ts";
import { renderWithProviders } from "../../../test/render.tsx";
import { admin, delivery, ehrUrl, endpoint, listed, webhookId, webhooksPath } from "../test-fixtures.ts";
import { WebhookEndpoints } from "./webhook-endpoints.tsx";

const deliveriesPath = `${webhooksPath}/${webhookId}/deliveries`;

const rowOf = async (url: string) => {
  const row = (await screen.findByRole("cell", { name: url })).closest("tr");
  if (!row) throw new Error(`no row for ${url}`);
  return row;
};

/** The query string of each call to `path` (stubNetwork records paths without it). */
const queriesTo = (fetch: { mock: { calls: unknown[][] } }, path: string) =>
  fetch.mock.calls
    .map(([input]) => new URL((input as Request).url))
    .filter((url) => url.pathname === path)
    .map((url) => Object.fromEntries(url.searchParams));

describe("WebhookEndpoints", () => {
  it("lists the endpoints with their counts, failures highlighted with the last failure", async () => {
    stubNetwork({
      [`GET ${webhooksPath}`]: listed(
        endpoint({
          events: ["session.ended"],
          deliveries: {
            pending: 1,
            delivered: 7,
            failed: 2,
            last_failure_at: "2026-01-26T09:30:00.000Z",
            last_failure_status_code: 500,
            last_failure_error: "HTTP 500",
          },
        }),
        endpoint({
          id: "whk-2",
          url: "https://billing.example.org/in",
          deliveries: {
            pending: 0,
            delivered: 4,
            failed: 0,
            last_failure_at: "2026-01-26T10:00:00.000Z",
            last_failure_status_code: null,
            last_failure_error: "timeout after 10000 ms",
          },
        }),
      ),
    });
    renderWithProviders(<WebhookEndpoints />, admin);
    const table = await screen.findByRole("table", { name: "Webhook endpoints" });
    const cells = within(await rowOf(ehrUrl)).getAllByRole("cell");
    const column = (name: string) =>
      within(table)
        .getAllByRole("columnheader")
        .findIndex((th) => th.textContent === name);
    expect(cells[column("Events")]).toHaveTextContent(/^session\.ended$/);
    expect(cells[column("Delivered")]).toHaveTextContent(/^7$/);
    expect(cells[column("Pending")]).toHaveTextContent(/^1$/);
    expect(cells[column("Failed")]).toHaveTextContent(/^2 failed\s*Last failure .+: HTTP 500$/);
    const other = within(await rowOf("https://billing.example.org/in")).getAllByRole("cell");
    expect(other[column("Failed")]).toHaveTextContent(/^0\s*Last failure .+: timeout after 10000 ms$/);
  });

  it("says so when the clinic has no endpoint", async () => {
    stubNetwork({ [`GET ${webhooksPath}`]: listed() });
    renderWithProviders(<WebhookEndpoints />, admin);
    expect(await screen.findByText(/No webhook endpoints yet/)).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("shows a failed load with Retry", async () => {
    stubNetwork({
      [`GET ${webhooksPath}`]: { status: 503, body: { error: "down", status: 503, code: "SERVICE_UNAVAILABLE" } },
    });
    renderWithProviders(<WebhookEndpoints />, admin);
    expect(await screen.findByRole("alert")).toHaveTextContent("The service is temporarily unavailable");
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });

  it("asks before deleting, then sends DELETE and reads the list again", async () => {
    let gone = false;
    const net = stubNetwork({
      [`GET ${webhooksPath}`]: () => (gone ? listed() : listed(endpoint())),
      [`DELETE ${webhooksPath}/${webhookId}`]: () => {
        gone = true;
        return { status: 204 };
      },
    });
    renderWithProviders(<WebhookEndpoints />, admin);
    await userEvent.click(await screen.findByRole("button", { name: `Delete ${ehrUrl}` }));
    let dialog = await screen.findByRole("dialog", { name: "Delete this webhook endpoint?" });
    expect(dialog).toHaveTextContent(ehrUrl);
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(net.search("DELETE", `${webhooksPath}/${webhookId}`)).toEqual([]);

    await userEvent.click(screen.getByRole("button", { name: `Delete ${ehrUrl}` }));
    dialog = await screen.findByRole("dialog", { name: "Delete this webhook endpoint?" });
    expect(net.search("DELETE", `${webhooksPath}/${webhookId}`)).toEqual([]);
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete endpoint" }));
    expect(await screen.findByText(/No webhook endpoints yet/)).toBeInTheDocument();
    expect(net.search("DELETE", `${webhooksPath}/${webhookId}`)).toHaveLength(1);
    expect(net.search("GET", webhooksPath)).toHaveLength(2);
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("opens an endpoint's deliveries, 20 a page with Previous / Next", async () => {
    const firstPage = Array.from({ length: 20 }, (_, i) =>
      i === 0
        ? delivery(0, {
            event_type: "session.ended",
            status: "FAILED",
            attempts: 9,
            last_status_code: null,
            last_error: "network error (ECONNREFUSED)",
            delivered_at: null,
            failed_at: "2026-01-26T14:00:00.000Z",
          })
        : delivery(i),
    );
    const secondPage = Array.from({ length: 5 }, (_, i) =>
      delivery(20 + i, {
        status: "PENDING",
        attempts: 2,
        last_status_code: 503,
        delivered_at: null,
        next_attempt_at: "2026-01-26T15:00:00.000Z",
      }),
    );
    let pages = 0;
    const net = stubNetwork({
      [`GET ${webhooksPath}`]: listed(endpoint()),
      [`GET ${deliveriesPath}`]: () => {
        pages += 1;
        const deliveries = pages === 1 ? firstPage : secondPage;
        return { status: 200, body: { total: 25, limit: 20, offset: pages === 1 ? 0 : 20, deliveries } };
      },
    });
    renderWithProviders(<WebhookEndpoints />, admin);
    await userEvent.click(await screen.findByRole("button", { name: `Deliveries for ${ehrUrl}` }));
    const dialog = await screen.findByRole("dialog", { name: `Deliveries to ${ehrUrl}` });
    const table = await within(dialog).findByRole("table", { name: "Deliveries" });
    const rows = () => within(table).getAllByRole("row").slice(1);
    expect(rows()).toHaveLength(20);
    const failed = within(rows()[0] as HTMLElement).getAllByRole("cell");
    expect(failed.map((c) => c.textContent)).toEqual([
      "session.ended",
      "FAILED",
      "9",
      "network error (ECONNREFUSED)",
      expect.any(String),
      expect.any(String),
      expect.stringMatching(/^Gave up /),
    ]);
    expect(within(rows()[1] as HTMLElement).getAllByRole("cell")[3]).toHaveTextContent("HTTP 200");
    expect(within(dialog).getByText("1–20 of 25")).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Previous" })).toBeDisabled();

    await userEvent.click(within(dialog).getByRole("button", { name: "Next" }));
    await waitFor(() => expect(within(dialog).getByText("21–25 of 25")).toBeInTheDocument());
    expect(rows()).toHaveLength(5);
    expect(within(rows()[0] as HTMLElement).getAllByRole("cell")[1]).toHaveTextContent("PENDING");
    expect(within(rows()[0] as HTMLElement).getAllByRole("cell")[3]).toHaveTextContent("HTTP 503");
    expect(within(dialog).getByRole("button", { name: "Next" })).toBeDisabled();
    expect(queriesTo(net.fetch, deliveriesPath)).toEqual([
      { limit: "20", offset: "0" },
      { limit: "20", offset: "20" },
    ]);
  });
});
