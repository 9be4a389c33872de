import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { AppProvider } from "./app/provider.tsx";
import { routes } from "./app/router.tsx";
import { createQueryClient } from "./lib/query.ts";

// No <StrictMode>: its double-run of effects would join a consultation twice in development,
// and the server would replace the first attendee.
const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");
createRoot(root).render(
  <AppProvider queryClient={createQueryClient()}>
    <RouterProvider router={createBrowserRouter(routes)} />
  </AppProvider>,
);
