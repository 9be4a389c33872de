import { render } from "@testing-library/react";
import type React from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { AppProvider } from "../app/provider.tsx";
import { routes } from "../app/router.tsx";
import { authTokens, type CurrentUser } from "../lib/auth-tokens.ts";
import { createQueryClient } from "../lib/query.ts";

export const doctor: CurrentUser = {
  id: "doc-1",
  role: "DOCTOR",
  name: "Dr. Ada Smith",
  email: "doctor@demo.clinic",
  clinic_id: "clinic-1",
};
export const patient: CurrentUser = {
  id: "pat-1",
  role: "PATIENT",
  name: "John Doe",
  email: "patient@demo.clinic",
  clinic_id: "clinic-1",
};

/** Signs in (tokens in memory, as after a real login) and renders the whole app at `path`. */
export function renderApp(path: string, user: CurrentUser | null) {
  authTokens.clear("logout");
  if (user) {
    authTokens.set({
      access_token: `access-${user.id}`,
      expires_in: 900,
      user,
    });
  }
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: 0 } });
  const view = render(
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return { ...view, router, queryClient };
}

/** Renders one component with the app's providers, signed in as `user`. */
export function renderWithProviders(ui: React.ReactNode, user: CurrentUser | null = doctor) {
  authTokens.clear("logout");
  if (user) {
    authTokens.set({
      access_token: `access-${user.id}`,
      expires_in: 900,
      user,
    });
  }
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: 0 } });
  return render(<AppProvider queryClient={queryClient}>{ui}</AppProvider>);
}
