import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { CopyLink } from "../../../components/copy-link.tsx";
import { describeError } from "../../../components/error-state.tsx";
import { isApiError } from "../../../lib/api-error.ts";
import { useCreateUser } from "../api/users.ts";
import { type PersonFields, PersonForm, personProblems } from "./person-form.tsx";

const empty: PersonFields = { role: "PATIENT", name: "", email: "" };

interface Props {
  opened: boolean;
  onClose: () => void;
}

/**
 * Adds a doctor, patient or admin to the clinic. The answer's set-password link replaces the
 * form, with Copy, until Done: the admin hands it over (the person chooses their password).
 */
export function CreatePersonModal({ opened, onClose }: Props) {
  const create = useCreateUser();
  const [fields, setFields] = useState<PersonFields>(empty);
  const [submitted, setSubmitted] = useState(false);
  const close = () => {
    create.reset();
    setFields(empty);
    setSubmitted(false);
    onClose();
  };
  const problems = submitted ? personProblems(fields) : {};
  const emailTaken = isApiError(create.error, "EMAIL_TAKEN");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(personProblems(fields)).length > 0) return;
    create.mutate({ role: fields.role, name: fields.name.trim(), email: fields.email.trim() });
  };
  return (
    <Modal opened={opened} onClose={close} title="Add a person" centered size="lg">
      {create.isSuccess ? (
        <Stack>
          <Text size="sm">
            <strong>{create.data.user.name}</strong> was added. Send them this link to choose their password; it is
            shown only now.
          </Text>
          <CopyLink
            label="Set-password link"
            url={create.data.password_link.url}
            expiresAt={create.data.password_link.expires_at}
            note="It works once."
          />
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate aria-label="Add a person">
          <Stack>
            <PersonForm
              fields={fields}
              onChange={setFields}
              problems={{
                ...problems,
                ...(emailTaken ? { email: "Someone already has this email address." } : {}),
              }}
            />
            {create.isError && !emailTaken && (
              <Alert color="red" role="alert" title="The person was not added">
                {isApiError(create.error) && create.error.status === 400
                  ? create.error.error
                  : describeError(create.error, "Person").message}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Add person
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
