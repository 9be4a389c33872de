import { Alert, Anchor } from "@mantine/core";
import { Link } from "react-router";

export function NotFoundRoute() {
  return (
    <Alert color="yellow" title="Page not found" role="alert" m="md">
      This page does not exist.{" "}
      <Anchor component={Link} to="/">
        Go to your home page
      </Anchor>
      .
    </Alert>
  );
}
