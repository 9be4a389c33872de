import type { RouteObject } from "react-router";
import { AppLayout } from "./app-layout.tsx";
import { RequireRole } from "./require-role.tsx";
import { DoctorAppointmentsRoute } from "./routes/doctor-appointments.tsx";
import { HomeRedirect, LoginRoute } from "./routes/login.tsx";
import { NotFoundRoute } from "./routes/not-found.tsx";
import { PatientHomeRoute } from "./routes/patient-home.tsx";
import { SessionCallRoute } from "./routes/session-call.tsx";
import { DoctorSessionsRoute, SessionDetailsRoute } from "./routes/session-details.tsx";

/** The route table; main.tsx mounts it in a browser router, tests in a memory router. */
export const routes: RouteObject[] = [
  { path: "/login", element: <LoginRoute /> },
  { path: "/", element: <HomeRedirect /> },
  {
    element: <RequireRole roles={["DOCTOR", "PATIENT", "ADMIN"]} />,
    children: [
      {
        element: <AppLayout />,
        children: [
          {
            element: <RequireRole roles={["DOCTOR"]} />,
            children: [
              { path: "/doctor/appointments", element: <DoctorAppointmentsRoute /> },
              { path: "/doctor/sessions", element: <DoctorSessionsRoute /> },
              { path: "/doctor/sessions/:sessionId", element: <SessionDetailsRoute editNotes={false} /> },
              { path: "/doctor/sessions/:sessionId/notes", element: <SessionDetailsRoute editNotes /> },
              {
                path: "/doctor/dashboard",
                // Charts (recharts) load with the page that shows them.
                lazy: async () => ({ Component: (await import("./routes/doctor-dashboard.tsx")).DoctorDashboardRoute }),
              },
            ],
          },
          {
            element: <RequireRole roles={["DOCTOR", "PATIENT"]} />,
            children: [{ path: "/sessions/:sessionId/call", element: <SessionCallRoute /> }],
          },
          {
            element: <RequireRole roles={["PATIENT"]} />,
            children: [{ path: "/patient", element: <PatientHomeRoute /> }],
          },
          {
            element: <RequireRole roles={["ADMIN"]} />,
            children: [
              {
                path: "/admin/usage",
                lazy: async () => ({ Component: (await import("./routes/admin-usage.tsx")).AdminUsageRoute }),
              },
            ],
          },
          { path: "*", element: <NotFoundRoute /> },
        ],
      },
    ],
  },
];
