import { Alert, Button, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { describeError } from "../../../components/error-state.tsx";
import { ApiError } from "../../../lib/api-error.ts";
import { useLogin } from "../api/login.ts";

function loginMessage(error: unknown): string {
  if (error instanceof ApiError && (error.status === 401 || error.status === 400)) {
    return "The email or password is incorrect.";
  }
  if (error instanceof ApiError && error.status === 429)
    return "Too many attempts. Please wait a minute and try again.";
  return describeError(error).message;
}

export function LoginForm({ notice }: { notice?: string | null }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useLogin();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email: email.trim(), password });
  };

  return (
    <Paper withBorder shadow="sm" p="xl" radius="md" maw={420} mx="auto" mt="xl">
      <form onSubmit={submit} aria-label="Log in">
        <Stack>
          <Title order={1} size="h2">
            Log in
          </Title>
          {notice && !login.isError && (
            <Alert color="blue" role="status">
              {notice}
            </Alert>
          )}
          {login.isError && (
            <Alert color="red" title="Could not log in" role="alert">
              {loginMessage(login.error)}
            </Alert>
          )}
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Button type="submit" loading={login.isPending}>
            Log in
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
