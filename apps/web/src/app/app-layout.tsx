// Every signed-in screen renders inside this layout, so it brings all of Mantine's component
// styles (the sign-in page loaded only its own few, which these repeat identically).
import "@mantine/core/styles.css";
import { AppShell, Burger, Button, Group, NavLink, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Outlet, NavLink as RouterLink, useMatch } from "react-router";
import { ErrorBoundary } from "../components/error-boundary.tsx";
import { PageLoading } from "../components/route-fallbacks.tsx";
import { useLogout } from "../features/auth/api/logout.ts";
import { IdleLogoff } from "../features/auth/idle/idle-logoff.tsx";
import { useCurrentUser } from "../features/auth/use-current-user.ts";
import { useClinicTimeZone } from "../lib/clinic-time-zone.ts";

const links = {
  DOCTOR: [
    { to: "/doctor/appointments", label: "Appointments" },
    { to: "/doctor/sessions", label: "Sessions" },
    { to: "/doctor/dashboard", label: "Dashboard" },
  ],
  PATIENT: [{ to: "/patient", label: "My appointment" }],
  ADMIN: [
    { to: "/admin/usage", label: "Usage Metrics" },
    { to: "/admin/people", label: "People" },
    { to: "/admin/appointments", label: "Appointments" },
    { to: "/admin/consent", label: "Telehealth consent" },
    { to: "/admin/webhooks", label: "Webhooks" },
  ],
} as const;

export function AppLayout() {
  const user = useCurrentUser();
  const logout = useLogout();
  const [opened, { toggle, close }] = useDisclosure();
  const nav = user ? links[user.role] : [];
  // Screens show times in the clinic's zone: they wait for it (one small public request, usually
  // cached already). Not the call: it must never wait, and its few times follow the zone themselves.
  const clinicZone = useClinicTimeZone();
  const inCall = useMatch("/sessions/:sessionId/call") !== null;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={2} size="h4">
              Clinic video consultations
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="xs" c="dimmed" visibleFrom="md">
              Clinic time: {clinicZone.zone}
            </Text>
            <Text size="sm" visibleFrom="sm">
              {user?.name}
            </Text>
            <Button size="xs" variant="default" onClick={() => logout.mutate()} loading={logout.isPending}>
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <Stack gap={2}>
          {nav.map((link) => (
            <NavLink key={link.to} component={RouterLink} to={link.to} label={link.label} onClick={close} />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <ErrorBoundary region="page">{clinicZone.ready || inCall ? <Outlet /> : <PageLoading />}</ErrorBoundary>
      </AppShell.Main>
      <IdleLogoff />
    </AppShell>
  );
}
