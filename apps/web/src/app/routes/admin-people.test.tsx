import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { DirectoryUser } from "../../features/people/api/users.ts";
import type { CurrentUser } from "../../lib/auth-tokens.ts";
import { errorBody, stubNetwork } from "../../test/network.ts";
import { renderApp } from "../../test/render.tsx";

/** The URL of the last request the page made (with its query). */
function lastUrl(fetch: { mock: { calls: unknown[][] } }): URL {
  const input = fetch.mock.calls.at(-1)?.[0];
  if (!(input instanceof Request)) throw new Error("no request yet");
  return new URL(input.url);
}

const admin: CurrentUser = {
  id: "adm-1",
  role: "ADMIN",
  name: "Alex Admin",
  email: "admin@demo.clinic",
  clinic_id: "clinic-1",
};

const person = (overrides: Partial<DirectoryUser>): DirectoryUser => ({
  id: "pat-1",
  role: "PATIENT",
  name: "John Doe",
  email: "john@example.test",
  clinic_id: "clinic-1",
  active: true,
  has_password: true,
  created_at: "2026-12-01T09:00:00.000Z",
  deactivated_at: null,
  ...overrides,
});

const users = "/auth/api/auth/users";
const page = (list: DirectoryUser[]) => ({
  status: 200,
  body: { total: list.length, limit: 50, offset: 0, users: list },
});
const config = { status: 200, body: { idle_logoff_min: 15, session_max_hours: 12, clinic_time_zone: "Europe/Berlin" } };

/** The first screen of a test also loads the page's code: more than the default second on a busy machine. */
const firstLoad = { timeout: 10_000 };
const peopleTable = () => screen.findByRole("table", { name: "People" }, firstLoad);

async function row(name: string) {
  const cell = await screen.findByRole("cell", { name: new RegExp(`^${name}`) }, firstLoad);
  const tr = cell.closest("tr");
  if (!tr) throw new Error("no row");
  return within(tr);
}

describe("admin People page", () => {
  it("lists the clinic's people with role, status and whether a password is set", async () => {
    stubNetwork({
      "GET /auth/api/auth/client-config": config,
      [`GET ${users}`]: page([
        person({ id: "adm-1", role: "ADMIN", name: "Alex Admin", email: "admin@demo.clinic" }),
        person({}),
        person({ id: "doc-2", role: "DOCTOR", name: "Dr. New", email: "new@x.test", has_password: false }),
        person({ id: "pat-9", name: "Gone Patient", active: false, deactivated_at: "2026-12-02T10:00:00.000Z" }),
      ]),
    });
    renderApp("/admin/people", admin);
    const table = await peopleTable();
    expect(within(table).getAllByRole("row")).toHaveLength(5);
    expect((await row("Dr. New")).getByText("Not yet")).toBeInTheDocument();
    expect((await row("Gone Patient")).getByText("Deactivated")).toBeInTheDocument();
    expect((await row("Gone Patient")).getByRole("button", { name: "Reactivate Gone Patient" })).toBeInTheDocument();
    // An admin cannot deactivate themselves: no such button on their own row.
    expect((await row("Alex Admin")).queryByRole("button", { name: /Deactivate/ })).not.toBeInTheDocument();
  });

  it("search and role filter go to the server as q and role", async () => {
    const network = stubNetwork({ [`GET ${users}`]: page([person({})]) });
    renderApp("/admin/people", admin);
    await peopleTable();
    await userEvent.type(screen.getByRole("searchbox", { name: "Search" }), "doe");
    await userEvent.click(screen.getByRole("combobox", { name: "Role" }));
    // jsdom has no layout, so Mantine keeps the (detached) dropdown display:none: its options count as hidden.
    await userEvent.click(await screen.findByRole("option", { name: "Doctor", hidden: true }));
    await waitFor(() => {
      const url = lastUrl(network.fetch);
      expect(url.searchParams.get("q")).toBe("doe");
      expect(url.searchParams.get("role")).toBe("DOCTOR");
      expect(url.searchParams.get("active")).toBe("true");
    });
  });

  it("creates a patient and shows the set-password link with Copy and its expiry", async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    let created = false;
    const network = stubNetwork({
      "GET /auth/api/auth/client-config": config,
      [`GET ${users}`]: () => page(created ? [person({}), person({ id: "pat-2", name: "Jane Roe" })] : [person({})]),
      [`POST ${users}`]: () => {
        created = true;
        return {
          status: 201,
          body: {
            user: person({ id: "pat-2", name: "Jane Roe", email: "jane@x.test", has_password: false }),
            password_link: {
              url: "http://localhost:8000/set-password#tok-123",
              expires_at: "2026-12-05T13:30:00.000Z",
            },
          },
        };
      },
    });
    renderApp("/admin/people", admin);
    await peopleTable();
    await userEvent.click(screen.getByRole("button", { name: "Add person" }));
    const form = await screen.findByRole("form", { name: "Add a person" });
    // Nothing is sent while the form is incomplete.
    await userEvent.click(within(form).getByRole("button", { name: "Add person" }));
    expect(within(form).getByText("Enter the person's name.")).toBeInTheDocument();
    expect(network.search("POST", users)).toHaveLength(0);

    await userEvent.type(within(form).getByRole("textbox", { name: "Name" }), "Jane Roe");
    await userEvent.type(within(form).getByRole("textbox", { name: "Email" }), "jane@x.test");
    await userEvent.click(within(form).getByRole("button", { name: "Add person" }));

    const link = await screen.findByRole("textbox", { name: "Set-password link" });
    expect(link).toHaveValue("http://localhost:8000/set-password#tok-123");
    expect(network.search("POST", users)[0]?.body).toEqual({ role: "PATIENT", name: "Jane Roe", email: "jane@x.test" });
    expect(screen.getByText(/Valid until 5 Dec 2026, 14:30 \(Europe\/Berlin\)/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Copy set-password link" }));
    expect(writeText).toHaveBeenCalledWith("http://localhost:8000/set-password#tok-123");
    expect(await screen.findByText("Copied to the clipboard.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(await screen.findByRole("cell", { name: "Jane Roe" })).toBeInTheDocument();
  }, 60_000);

  it("a taken email is shown on the email field", async () => {
    stubNetwork({
      [`GET ${users}`]: page([person({})]),
      [`POST ${users}`]: errorBody(409, "EMAIL_TAKEN", "This email address is already in use"),
    });
    renderApp("/admin/people", admin);
    await peopleTable();
    await userEvent.click(screen.getByRole("button", { name: "Add person" }));
    const form = await screen.findByRole("form", { name: "Add a person" });
    await userEvent.type(within(form).getByRole("textbox", { name: "Name" }), "John Two");
    await userEvent.type(within(form).getByRole("textbox", { name: "Email" }), "john@example.test");
    await userEvent.click(within(form).getByRole("button", { name: "Add person" }));
    expect(await within(form).findByText("Someone already has this email address.")).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: "Set-password link" })).not.toBeInTheDocument();
  }, 60_000);

  it("deactivates after confirmation, with PATCH active:false, and shows the refusal when there is one", async () => {
    let active = true;
    let refuse = false;
    const network = stubNetwork({
      [`GET ${users}`]: () => page([person({ active, deactivated_at: active ? null : "2026-12-02T10:00:00.000Z" })]),
      "PATCH /auth/api/auth/users/pat-1": (request) => {
        if (refuse) return errorBody(409, "USER_INACTIVE", "This account is already deactivated");
        active = (request.body as { active: boolean }).active;
        return { status: 200, body: person({ active }) };
      },
    });
    renderApp("/admin/people", admin);
    await userEvent.click((await row("John Doe")).getByRole("button", { name: "Deactivate John Doe" }));
    const dialog = await screen.findByRole("dialog", { name: "Deactivate John Doe?" });
    // Cancel changes nothing.
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(network.search("PATCH", "/auth/api/auth/users/pat-1")).toHaveLength(0);

    await userEvent.click((await row("John Doe")).getByRole("button", { name: "Deactivate John Doe" }));
    const again = await screen.findByRole("dialog", { name: "Deactivate John Doe?" });
    await userEvent.click(within(again).getByRole("button", { name: "Deactivate" }));
    await waitFor(() => expect(network.search("PATCH", "/auth/api/auth/users/pat-1")).toHaveLength(1));
    expect(network.search("PATCH", "/auth/api/auth/users/pat-1")[0]?.body).toEqual({ active: false });
    expect(await (await row("John Doe")).findByText("Deactivated")).toBeInTheDocument();

    refuse = true;
    await userEvent.click((await row("John Doe")).getByRole("button", { name: "Reactivate John Doe" }));
    const reactivate = await screen.findByRole("dialog", { name: "Reactivate John Doe?" });
    await userEvent.click(within(reactivate).getByRole("button", { name: "Reactivate" }));
    expect(await within(reactivate).findByRole("alert")).toHaveTextContent("This account is already deactivated");
  });

  it("edits only what changed, and a reset link is created on request", async () => {
    const network = stubNetwork({
      [`GET ${users}`]: page([person({})]),
      "PATCH /auth/api/auth/users/pat-1": { status: 200, body: person({ name: "John Q. Doe" }) },
      "POST /auth/api/auth/users/pat-1/password-link": {
        status: 201,
        body: { url: "http://localhost:8000/set-password#reset-9", expires_at: "2026-12-05T13:30:00.000Z" },
      },
    });
    renderApp("/admin/people", admin);
    await userEvent.click((await row("John Doe")).getByRole("button", { name: "Edit John Doe" }));
    const form = await screen.findByRole("form", { name: "Edit John Doe" });
    const name = within(form).getByRole("textbox", { name: "Name" });
    await userEvent.clear(name);
    await userEvent.type(name, "John Q. Doe");
    await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(network.search("PATCH", "/auth/api/auth/users/pat-1")).toHaveLength(1));
    expect(network.search("PATCH", "/auth/api/auth/users/pat-1")[0]?.body).toEqual({ name: "John Q. Doe" });

    await userEvent.click((await row("John Doe")).getByRole("button", { name: "Reset password link for John Doe" }));
    const dialog = await screen.findByRole("dialog", { name: "Reset password link for John Doe" });
    expect(network.search("POST", "/auth/api/auth/users/pat-1/password-link")).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Create link" }));
    expect(await within(dialog).findByRole("textbox", { name: "Set-password link" })).toHaveValue(
      "http://localhost:8000/set-password#reset-9",
    );
  });
});
