import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { errorBody, stubNetwork } from "../../test/network.ts";
import { renderApp } from "../../test/render.tsx";

const passwordPath = "/auth/api/auth/password";
const token = "tok_ABCdef0123456789abcdef0123456789abcdefGHI";

async function fill(password: string, repeat = password) {
  await userEvent.type(await screen.findByLabelText(/^New password/, {}, { timeout: 10_000 }), password);
  await userEvent.type(screen.getByLabelText(/^Repeat the new password/), repeat);
  await userEvent.click(screen.getByRole("button", { name: "Set password" }));
}

describe("/set-password#<token>", () => {
  it("sets the password with the link's token, then offers to sign in", async () => {
    const network = stubNetwork({ [`POST ${passwordPath}`]: { status: 204 } });
    const { router } = renderApp(`/set-password#${token}`, null);
    await fill("correct horse battery");
    expect(await screen.findByRole("heading", { name: "Password set" })).toBeInTheDocument();
    expect(network.search("POST", passwordPath)[0]?.body).toEqual({ token, password: "correct horse battery" });
    await userEvent.click(screen.getByRole("link", { name: "Sign in" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
  });

  it("too short, or the two not the same: said next to the field, nothing sent", async () => {
    const network = stubNetwork({});
    renderApp(`/set-password#${token}`, null);
    await fill("short");
    expect(screen.getByText("Use at least 10 characters.")).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText(/^New password/));
    await userEvent.clear(screen.getByLabelText(/^Repeat the new password/));
    await fill("long enough password", "long enough passw0rd");
    expect(screen.getByText("The two passwords are not the same.")).toBeInTheDocument();
    expect(network.requests).toHaveLength(0);
  });

  it.each([
    ["PASSWORD_LINK_EXPIRED", "This link has expired"],
    ["PASSWORD_LINK_INVALID", "This link does not work any more"],
  ])("%s: a clear message and a way to get a new link, no form to retry", async (code, title) => {
    stubNetwork({ [`POST ${passwordPath}`]: errorBody(400, code, "refused") });
    renderApp(`/set-password#${token}`, null);
    await fill("correct horse battery");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(title);
    expect(alert).toHaveTextContent("Ask your clinic's administrator to send you a new link.");
    expect(screen.queryByLabelText(/^New password/)).not.toBeInTheDocument();
  });

  it("without a token (the link cut short): says so", async () => {
    stubNetwork({});
    renderApp("/set-password", null);
    expect(await screen.findByRole("alert", {}, { timeout: 10_000 })).toHaveTextContent("This link is incomplete");
  });
});
