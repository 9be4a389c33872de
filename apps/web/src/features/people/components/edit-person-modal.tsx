import { Alert, Button, Group, Modal, Stack } from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import { describeError } from "../../../components/error-state.tsx";
import { isApiError } from "../../../lib/api-error.ts";
import { type DirectoryUser, type UserChanges, useUpdateUser } from "../api/users.ts";
import { type PersonFields, PersonForm, personProblems } from "./person-form.tsx";

interface Props {
  person: DirectoryUser | null;
  /** The signed-in admin: their own role cannot be changed here (the server refuses it too). */
  selfId: string | undefined;
  onClose: () => void;
}

/** Edits a person's name, email and role; only what changed is sent. */
export function EditPersonModal({ person, selfId, onClose }: Props) {
  const update = useUpdateUser();
  const [fields, setFields] = useState<PersonFields | null>(null);
  const [submitted, setSubmitted] = useState(false);
  useEffect(() => {
    setFields(person ? { role: person.role, name: person.name, email: person.email } : null);
    setSubmitted(false);
  }, [person]);
  const close = () => {
    update.reset();
    onClose();
  };
  const problems = submitted && fields ? personProblems(fields) : {};
  const emailTaken = isApiError(update.error, "EMAIL_TAKEN");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!person || !fields || Object.keys(personProblems(fields)).length > 0) return;
    const changes: UserChanges = {};
    if (fields.name.trim() !== person.name) changes.name = fields.name.trim();
    if (fields.email.trim() !== person.email) changes.email = fields.email.trim();
    if (fields.role !== person.role) changes.role = fields.role;
    if (Object.keys(changes).length === 0) return close();
    update.mutate({ id: person.id, changes }, { onSuccess: close });
  };
  return (
    <Modal opened={person !== null} onClose={close} title={person ? `Edit ${person.name}` : "Edit"} centered>
      {person && fields && (
        <form onSubmit={submit} noValidate aria-label={`Edit ${person.name}`}>
          <Stack>
            <PersonForm
              fields={fields}
              onChange={setFields}
              roleDisabled={person.id === selfId}
              problems={{
                ...problems,
                ...(emailTaken ? { email: "Someone already has this email address." } : {}),
              }}
            />
            {update.isError && !emailTaken && (
              <Alert color="red" role="alert" title="The changes were not saved">
                {isApiError(update.error) && [400, 409].includes(update.error.status)
                  ? update.error.error
                  : describeError(update.error, "Person").message}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={update.isPending}>
                Save changes
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
