import { lazy, Suspense } from "react";
import type { RouteObject } from "react-router";
import { LoadErrorBoundary, PageLoading, RouteLoadError } from "../components/route-fallbacks.tsx";
import { RequireRole } from "./require-role.tsx";
import { loadCallScreen } from "./routes/lazy-routes.ts";
import { HomeRedirect, LoginRoute } from "./routes/login.tsx";

const SessionCall = lazy(async () => ({ default: (await loadCallScreen()).SessionCallRoute }));

/**
 * The route table; main.tsx mounts it in a browser router, tests in a memory router.
 *
 * Only the sign-in page is in the first download: a patient opening the product on a phone
 * (often once, on a weak link) must not wait for the doctor's screens, the charts, the call
 * screen or the admin pages. Every other screen, and the signed-in layout, is its own chunk,
 * fetched when a route needs it (`lazy`); the call screen is also fetched ahead of time once
 * a call is about to start (see lazy-routes.ts).
 */
export const routes: RouteObject[] = [
  { path: "/login", element: <LoginRoute /> },
  // Public pages opened from a link (no account needed): each its own chunk, like the signed-in screens.
  {
    path: "/set-password",
    hydrateFallbackElement: <PageLoading />,
    errorElement: <RouteLoadError />,
    lazy: async () => ({ Component: (await import("./routes/set-password.tsx")).SetPasswordRoute }),
  },
  {
    path: "/join/:token",
    hydrateFallbackElement: <PageLoading />,
    errorElement: <RouteLoadError />,
    lazy: async () => ({ Component: (await import("./routes/join.tsx")).JoinRoute }),
  },
  { path: "/", element: <HomeRedirect /> },
  {
    element: <RequireRole roles={["DOCTOR", "PATIENT", "ADMIN"]} />,
    // A reload on a signed-in page waits for that page's chunk; a chunk that cannot be fetched
    // says so with a Reload button instead of the router's developer error page.
    hydrateFallbackElement: <PageLoading />,
    errorElement: <RouteLoadError />,
    children: [
      {
        lazy: async () => ({ Component: (await import("./app-layout.tsx")).AppLayout }),
        children: [
          {
            element: <RequireRole roles={["DOCTOR"]} />,
            children: [
              {
                path: "/doctor/appointments",
                lazy: async () => ({
                  Component: (await import("./routes/doctor-appointments.tsx")).DoctorAppointmentsRoute,
                }),
              },
              {
                path: "/doctor/sessions",
                lazy: async () => ({ Component: (await import("./routes/session-details.tsx")).DoctorSessionsRoute }),
              },
              {
                path: "/doctor/sessions/:sessionId",
                lazy: async () => {
                  const { SessionDetailsRoute } = await import("./routes/session-details.tsx");
                  return { element: <SessionDetailsRoute editNotes={false} /> };
                },
              },
              {
                path: "/doctor/sessions/:sessionId/notes",
                lazy: async () => {
                  const { SessionDetailsRoute } = await import("./routes/session-details.tsx");
                  return { element: <SessionDetailsRoute editNotes /> };
                },
              },
              {
                path: "/doctor/dashboard",
                lazy: async () => ({ Component: (await import("./routes/doctor-dashboard.tsx")).DoctorDashboardRoute }),
              },
            ],
          },
          {
            element: <RequireRole roles={["DOCTOR", "PATIENT"]} />,
            children: [
              {
                path: "/sessions/:sessionId/call",
                // React.lazy over the preloaded module: once the chunk is in (preloadCallScreen), the
                // call renders on the click's own navigation, with no router round of its own.
                element: (
                  <LoadErrorBoundary>
                    <Suspense fallback={<PageLoading />}>
                      <SessionCall />
                    </Suspense>
                  </LoadErrorBoundary>
                ),
              },
            ],
          },
          {
            element: <RequireRole roles={["PATIENT"]} />,
            children: [
              {
                path: "/patient",
                lazy: async () => ({ Component: (await import("./routes/patient-home.tsx")).PatientHomeRoute }),
              },
            ],
          },
          {
            element: <RequireRole roles={["ADMIN"]} />,
            children: [
              {
                path: "/admin/usage",
                lazy: async () => ({ Component: (await import("./routes/admin-usage.tsx")).AdminUsageRoute }),
              },
              {
                path: "/admin/people",
                lazy: async () => ({ Component: (await import("./routes/admin-people.tsx")).AdminPeopleRoute }),
              },
              {
                path: "/admin/appointments",
                lazy: async () => ({
                  Component: (await import("./routes/admin-appointments.tsx")).AdminAppointmentsRoute,
                }),
              },
              {
                path: "/admin/consent",
                lazy: async () => ({ Component: (await import("./routes/admin-consent.tsx")).AdminConsentRoute }),
              },
              {
                path: "/admin/webhooks",
                lazy: async () => ({ Component: (await import("./routes/admin-webhooks.tsx")).AdminWebhooksRoute }),
              },
            ],
          },
          {
            path: "*",
            lazy: async () => ({ Component: (await import("./routes/not-found.tsx")).NotFoundRoute }),
          },
        ],
      },
    ],
  },
];
