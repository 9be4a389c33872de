import { Alert, Paper, Stack, Title } from "@mantine/core";
import { useLocation } from "react-router";
import { SetPasswordForm } from "../../features/auth/components/set-password-form.tsx";

/**
 * `/set-password#<token>` (public): the link an administrator hands a new person, or a reset.
 * The token is in the fragment, which the browser never sends to a server (no request log holds it).
 */
export function SetPasswordRoute() {
  const { hash } = useLocation();
  const token = hash.replace(/^#/, "").trim();
  return (
    <main>
      {token ? (
        <SetPasswordForm token={token} />
      ) : (
        <Paper withBorder shadow="sm" p="xl" radius="md" maw={420} mx="auto" mt="xl">
          <Stack>
            <Title order={1} size="h2">
              Set your password
            </Title>
            <Alert color="red" title="This link is incomplete" role="alert">
              Open the whole link you were sent (it ends with a long code after #), or ask your clinic's administrator
              for a new one.
            </Alert>
          </Stack>
        </Paper>
      )}
    </main>
  );
}
