import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { beforeEach, describe, expect, it } from "vitest";
import { AppProvider } from "../../app/provider.tsx";
import { routes } from "../../app/router.tsx";
import { authTokens } from "../../lib/auth-tokens.ts";
import { createQueryClient } from "../../lib/query.ts";
import { errorBody, stubNetwork } from "../../test/network.ts";
import { doctor } from "../../test/render.tsx";

const refreshPath = "/auth/api/auth/refresh";
const logoutPath = "/auth/api/auth/logout";
const loginPath = "/auth/api/auth/login";
const listPath = "/appointments/api/appointments";
const emptyList = { status: 200, body: { total: 0, limit: 100, offset: 0, appointments: [] } };
const tokens = {
  status: 200,
  body: { access_token: "restored-access", token_type: "Bearer", expires_in: 900, user: doctor },
};

/** The app as a page freshly loaded at `path` (a reload, a new tab): nothing in memory yet. */
function loadPage(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: 0 } });
  render(
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return router;
}

beforeEach(() => {
  authTokens.resetForTests();
  window.localStorage.clear();
});

describe("a reload keeps the person signed in (the refresh token is an HttpOnly cookie)", () => {
  it("refresh 200: signed in again on the page that was open, with no refresh token in the script", async () => {
    const network = stubNetwork({ [`POST ${refreshPath}`]: tokens, [`GET ${listPath}`]: emptyList });
    const router = loadPage("/doctor/appointments");
    expect(screen.getByLabelText("Loading the page")).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "Log out" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/doctor/appointments");
    // The cookie goes with the request (the browser's job); the body carries no token.
    expect(network.search("POST", refreshPath)).toEqual([expect.objectContaining({ body: {} })]);
    await waitFor(() => expect(network.search("GET", listPath)[0]?.authorization).toBe("Bearer restored-access"));
    expect(authTokens.get()).toMatchObject({ accessToken: "restored-access", user: doctor });
    expect(JSON.stringify(authTokens.get())).not.toMatch(/refresh/i);
  });

  it("refresh 401 (no cookie, or refused): the login page, without an 'expired' notice", async () => {
    stubNetwork({ [`POST ${refreshPath}`]: errorBody(401, "NO_REFRESH_TOKEN", "No refresh token") });
    const router = loadPage("/doctor/appointments");
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
    expect(authTokens.get()).toBeNull();
  });

  it("auth service unreachable: the login page says the sign-in could not be checked", async () => {
    stubNetwork({ [`POST ${refreshPath}`]: errorBody(503, "DATABASE_UNAVAILABLE", "down") });
    loadPage("/");
    expect(await screen.findByRole("status")).toHaveTextContent("could not be reached to check your sign-in");
  });

  it("a sign-in last used longer ago than the idle limit is ended, not restored", async () => {
    window.localStorage.setItem(
      "clinic.last-activity",
      JSON.stringify({ at: Date.now() - 16 * 60_000, idle_ms: 15 * 60_000 }),
    );
    const network = stubNetwork({ [`POST ${refreshPath}`]: tokens, [`POST ${logoutPath}`]: { status: 204 } });
    loadPage("/doctor/appointments");
    expect(await screen.findByRole("status")).toHaveTextContent("signed out because the app was not used");
    expect(network.search("POST", refreshPath)).toHaveLength(0);
    expect(network.search("POST", logoutPath)).toHaveLength(1);
    expect(authTokens.get()).toBeNull();
  });

  it("logging in asks for the refresh token as a cookie and keeps none in the script", async () => {
    const network = stubNetwork({
      [`POST ${refreshPath}`]: errorBody(401, "NO_REFRESH_TOKEN", "No refresh token"),
      [`POST ${loginPath}`]: tokens,
      [`GET ${listPath}`]: emptyList,
    });
    const router = loadPage("/login");
    await userEvent.type(await screen.findByRole("textbox", { name: "Email" }), "doctor@demo.clinic");
    await userEvent.type(screen.getByLabelText(/Password/), "doctor-demo");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/doctor/appointments"));
    expect(network.search("POST", loginPath)[0]?.body).toEqual({
      email: "doctor@demo.clinic",
      password: "doctor-demo",
      token_delivery: "cookie",
    });
  });

  it("logging out ends the sign-in on the server with the cookie", async () => {
    const network = stubNetwork({
      [`POST ${refreshPath}`]: tokens,
      [`GET ${listPath}`]: emptyList,
      [`POST ${logoutPath}`]: { status: 204 },
    });
    const router = loadPage("/doctor/appointments");
    await userEvent.click(await screen.findByRole("button", { name: "Log out" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(network.search("POST", logoutPath)).toEqual([expect.objectContaining({ body: {} })]);
  });
});
