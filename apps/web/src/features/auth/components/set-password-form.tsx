import { Alert, Button, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { describeError } from "../../../components/error-state.tsx";
import { ApiError } from "../../../lib/api-error.ts";
import { useSetPassword } from "../api/set-password.ts";

/** The auth service's limits (POST /api/auth/password). */
export const passwordLength = { min: 10, max: 256 } as const;

const askForNewLink = "Ask your clinic's administrator to send you a new link.";

function failureMessage(error: unknown): { title: string; message: string } {
  if (error instanceof ApiError && error.code === "PASSWORD_LINK_EXPIRED")
    return {
      title: "This link has expired",
      message: `Links to set a password work for a limited time. ${askForNewLink}`,
    };
  if (error instanceof ApiError && error.code === "PASSWORD_LINK_INVALID")
    return {
      title: "This link does not work any more",
      message: `It may have been used already, or a newer link was sent. ${askForNewLink}`,
    };
  if (error instanceof ApiError && error.status === 429)
    return { title: "Too many attempts", message: "Please wait a minute and try again." };
  if (error instanceof ApiError && error.status === 400)
    return { title: "The password was not accepted", message: error.error };
  return describeError(error);
}

/**
 * Choosing a password from a set-password link (`/set-password#<token>`): the new password
 * twice, checked here first (length, both the same), then by the auth service, which answers
 * for the link too (used, superseded or expired).
 */
export function SetPasswordForm({ token }: { token: string }) {
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [checked, setChecked] = useState(false);
  const submit = useSetPassword();

  const tooShort = password.length < passwordLength.min;
  const tooLong = password.length > passwordLength.max;
  const mismatch = repeat !== password;
  const passwordError = checked
    ? tooShort
      ? `Use at least ${passwordLength.min} characters.`
      : tooLong
        ? `Use at most ${passwordLength.max} characters.`
        : null
    : null;
  const repeatError = checked && !passwordError && mismatch ? "The two passwords are not the same." : null;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (tooShort || tooLong || mismatch) return;
    submit.mutate({ token, password });
  };

  if (submit.isSuccess) {
    return (
      <Paper withBorder shadow="sm" p="xl" radius="md" maw={420} mx="auto" mt="xl" component="section">
        <Stack>
          <Title order={1} size="h2">
            Password set
          </Title>
          <Text role="status">Your password is set. Sign in with your email address and the new password.</Text>
          <Button component={Link} to="/login" w="fit-content">
            Sign in
          </Button>
        </Stack>
      </Paper>
    );
  }

  const failure = submit.isError ? failureMessage(submit.error) : null;
  const linkDead = submit.error instanceof ApiError && submit.error.code.startsWith("PASSWORD_LINK_");
  return (
    <Paper withBorder shadow="sm" p="xl" radius="md" maw={420} mx="auto" mt="xl">
      <form onSubmit={onSubmit} aria-label="Set your password" noValidate>
        <Stack>
          <Title order={1} size="h2">
            Set your password
          </Title>
          {failure && (
            <Alert color="red" title={failure.title} role="alert">
              {failure.message}
            </Alert>
          )}
          {!linkDead && (
            <>
              <Text size="sm">Choose a password of at least {passwordLength.min} characters.</Text>
              <PasswordInput
                label="New password"
                autoComplete="new-password"
                required
                value={password}
                error={passwordError}
                onChange={(e) => setPassword(e.currentTarget.value)}
              />
              <PasswordInput
                label="Repeat the new password"
                autoComplete="new-password"
                required
                value={repeat}
                error={repeatError}
                onChange={(e) => setRepeat(e.currentTarget.value)}
              />
              <Button type="submit" loading={submit.isPending}>
                Set password
              </Button>
            </>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
