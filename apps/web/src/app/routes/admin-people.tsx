import { Button, Group, Loader, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { ErrorBoundary } from "../../components/error-boundary.tsx";
import { ErrorState } from "../../components/error-state.tsx";
import { useCurrentUser } from "../../features/auth/use-current-user.ts";
import { type DirectoryUser, type Role, roles, type UsersQuery, useUsers } from "../../features/people/api/users.ts";
import { CreatePersonModal } from "../../features/people/components/create-person-modal.tsx";
import { EditPersonModal } from "../../features/people/components/edit-person-modal.tsx";
import { PasswordLinkDialog } from "../../features/people/components/password-link-dialog.tsx";
import { PeopleTable } from "../../features/people/components/people-table.tsx";
import { PersonStatusDialog } from "../../features/people/components/person-status-dialog.tsx";

const pageSize = 50;
type StatusFilter = "active" | "deactivated" | "all";

/** The clinic's people: doctors, patients and admins; add, edit, deactivate, set-password links. */
export function AdminPeopleRoute() {
  const me = useCurrentUser();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);
  const [role, setRole] = useState<Role | null>(null);
  const [status, setStatus] = useState<StatusFilter>("active");
  const [offset, setOffset] = useState(0);
  const query: UsersQuery = {
    limit: pageSize,
    offset,
    ...(q ? { q } : {}),
    ...(role ? { role } : {}),
    ...(status === "all" ? {} : { active: status === "active" }),
  };
  const people = useUsers(query);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<DirectoryUser | null>(null);
  const [toggling, setToggling] = useState<DirectoryUser | null>(null);
  const [linkFor, setLinkFor] = useState<DirectoryUser | null>(null);
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setOffset(0);
    };
  const total = people.data?.total ?? 0;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>People</Title>
        <Button onClick={() => setCreating(true)}>Add person</Button>
      </Group>
      <Group align="flex-end">
        <TextInput
          label="Search"
          placeholder="Name or email"
          value={search}
          onChange={(e) => filter(setSearch)(e.currentTarget.value)}
          type="search"
        />
        <Select
          label="Role"
          placeholder="All roles"
          data={roles.map((r) => ({ value: r.value, label: r.label }))}
          value={role}
          onChange={(value) => filter(setRole)(value as Role | null)}
          clearable
        />
        <Select
          label="Status"
          data={[
            { value: "active", label: "Active" },
            { value: "deactivated", label: "Deactivated" },
            { value: "all", label: "All" },
          ]}
          value={status}
          onChange={(value) => value && filter(setStatus)(value as StatusFilter)}
          allowDeselect={false}
        />
      </Group>
      <ErrorBoundary region="people list">
        {people.isPending && <Loader aria-label="Loading people" />}
        {people.isError && <ErrorState error={people.error} subject="People" onRetry={() => void people.refetch()} />}
        {people.data &&
          (people.data.users.length === 0 ? (
            <Text c="dimmed">
              {q || role ? "Nobody matches." : "Nobody here yet. Add the clinic's doctors and patients."}
            </Text>
          ) : (
            <>
              <PeopleTable
                people={people.data.users}
                selfId={me?.id}
                onEdit={setEditing}
                onToggleActive={setToggling}
                onPasswordLink={setLinkFor}
              />
              {total > pageSize && (
                <Group justify="space-between">
                  <Text size="sm">
                    {offset + 1}–{Math.min(offset + pageSize, total)} of {total}
                  </Text>
                  <Group gap="xs">
                    <Button
                      size="xs"
                      variant="default"
                      disabled={offset === 0}
                      onClick={() => setOffset(Math.max(0, offset - pageSize))}
                    >
                      Previous
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      disabled={offset + pageSize >= total}
                      onClick={() => setOffset(offset + pageSize)}
                    >
                      Next
                    </Button>
                  </Group>
                </Group>
              )}
            </>
          ))}
      </ErrorBoundary>
      <CreatePersonModal opened={creating} onClose={() => setCreating(false)} />
      <EditPersonModal person={editing} selfId={me?.id} onClose={() => setEditing(null)} />
      <PersonStatusDialog person={toggling} onClose={() => setToggling(null)} />
      <PasswordLinkDialog person={linkFor} onClose={() => setLinkFor(null)} />
    </Stack>
  );
}
