import { Badge, Button, Group, Table, Text } from "@mantine/core";
import type { DirectoryUser } from "../api/users.ts";
import { roles } from "../api/users.ts";

interface Props {
  people: DirectoryUser[];
  selfId: string | undefined;
  onEdit: (person: DirectoryUser) => void;
  onToggleActive: (person: DirectoryUser) => void;
  onPasswordLink: (person: DirectoryUser) => void;
}

const roleLabel = (role: DirectoryUser["role"]) => roles.find((r) => r.value === role)?.label ?? role;

/** The clinic's people with their status; the row actions open a dialog each. */
export function PeopleTable({ people, selfId, onEdit, onToggleActive, onPasswordLink }: Props) {
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table striped aria-label="People">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Password set</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {people.map((p) => {
            const self = p.id === selfId;
            return (
              <Table.Tr key={p.id}>
                <Table.Td>
                  {p.name}
                  {self && (
                    <Text span size="sm" c="dimmed">
                      {" "}
                      (you)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={{ overflowWrap: "anywhere" }}>{p.email}</Table.Td>
                <Table.Td>{roleLabel(p.role)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={p.active ? "green" : "gray"}>
                    {p.active ? "Active" : "Deactivated"}
                  </Badge>
                </Table.Td>
                <Table.Td>{p.has_password ? "Yes" : "Not yet"}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button size="xs" variant="default" aria-label={`Edit ${p.name}`} onClick={() => onEdit(p)}>
                      Edit
                    </Button>
                    {!self && (
                      <Button
                        size="xs"
                        variant="light"
                        color={p.active ? "red" : undefined}
                        aria-label={`${p.active ? "Deactivate" : "Reactivate"} ${p.name}`}
                        onClick={() => onToggleActive(p)}
                      >
                        {p.active ? "Deactivate" : "Reactivate"}
                      </Button>
                    )}
                    {p.active && (
                      <Button
                        size="xs"
                        variant="light"
                        aria-label={`Reset password link for ${p.name}`}
                        onClick={() => onPasswordLink(p)}
                      >
                        Reset password link
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
