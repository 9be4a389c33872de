import { Select, TextInput } from "@mantine/core";
import { type Role, roles } from "../api/users.ts";

export interface PersonFields {
  role: Role;
  name: string;
  email: string;
}

/** What the form says is wrong before anything is sent (the server checks again). */
export function personProblems(fields: PersonFields): Partial<Record<keyof PersonFields, string>> {
  const problems: Partial<Record<keyof PersonFields, string>> = {};
  if (fields.name.trim() === "") problems.name = "Enter the person's name.";
  if (fields.email.trim() === "") problems.email = "Enter an email address.";
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(fields.email.trim())) problems.email = "Enter a valid email address.";
  return problems;
}

interface Props {
  fields: PersonFields;
  onChange: (fields: PersonFields) => void;
  /** Shown once the form was submitted, plus the server's answer (e.g. EMAIL_TAKEN on email). */
  problems: Partial<Record<keyof PersonFields, string>>;
  roleDisabled?: boolean;
}

/** Role, name and email: the same fields to create and to edit a person. */
export function PersonForm({ fields, onChange, problems, roleDisabled }: Props) {
  return (
    <>
      <Select
        label="Role"
        data={roles.map((r) => ({ value: r.value, label: r.label }))}
        value={fields.role}
        onChange={(value) => value && onChange({ ...fields, role: value as Role })}
        allowDeselect={false}
        disabled={roleDisabled}
        required
      />
      <TextInput
        label="Name"
        value={fields.name}
        onChange={(e) => onChange({ ...fields, name: e.currentTarget.value })}
        error={problems.name}
        required
        autoComplete="off"
      />
      <TextInput
        label="Email"
        type="email"
        value={fields.email}
        onChange={(e) => onChange({ ...fields, email: e.currentTarget.value })}
        error={problems.email}
        required
        autoComplete="off"
      />
    </>
  );
}
