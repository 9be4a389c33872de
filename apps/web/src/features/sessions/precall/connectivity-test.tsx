import { Alert, Button, Group, Loader, Text } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import { getConnectivity } from "../api/get-connectivity.ts";
import { type ConnectivityVerdict, checkConnectivity } from "./connectivity-check.ts";

type Run = { kind: "idle" } | { kind: "testing" } | { kind: "done"; verdict: ConnectivityVerdict };

/** The verdict in plain words, with what to do about it. */
function Verdict({ verdict }: { verdict: ConnectivityVerdict }) {
  if (verdict.kind === "ready") {
    return (
      <Alert color="green" role="status" title="Your connection is ready" py="xs">
        <Text size="sm">
          {verdict.relayTested
            ? "The video service and the clinic's relay server answered."
            : "The video service answered."}
        </Text>
      </Alert>
    );
  }
  if (verdict.kind === "unreachable") {
    return (
      <Alert color="red" role="alert" title="We could not reach the video service" py="xs">
        <Text size="sm">
          We could not reach the video service — check that you are online (try opening another website), turn off a VPN
          if you use one, or try another network such as mobile data. Then test again.
        </Text>
      </Alert>
    );
  }
  if (verdict.kind === "websocket-blocked") {
    return (
      <Alert color="red" role="alert" title="We could not reach the video service's real-time connection" py="xs">
        <Text size="sm">
          Your network blocks the real-time connection the call needs (WebSocket): the call will not connect here. Try
          another network such as mobile data or home Wi-Fi, or ask your IT team to allow secure WebSockets (WSS) to
          this site.
        </Text>
      </Alert>
    );
  }
  return (
    <Alert color="orange" role="alert" title="Calls may fail on this network: the relay is unreachable" py="xs">
      <Text size="sm">
        {verdict.relayOnly
          ? "This clinic sends every call through its relay server, which this network blocks: the call will not connect here."
          : "A strict firewall (often at work or on public Wi-Fi) blocks the relay server that carries calls the network does not let through directly."}{" "}
        Try another network such as mobile data or home Wi-Fi, or ask the network's administrator to allow this site.
      </Text>
    </Alert>
  );
}

/**
 * The connectivity test of the pre-call check. `startKey`: each new value runs the test again
 * (the "Check camera and microphone" button starts it too).
 */
export function ConnectivityTest({ startKey = 0 }: { startKey?: number }) {
  const [run, setRun] = useState<Run>({ kind: "idle" });
  const test = useCallback(async () => {
    setRun({ kind: "testing" });
    setRun({ kind: "done", verdict: await checkConnectivity(getConnectivity) });
  }, []);
  useEffect(() => {
    if (startKey > 0) void test();
  }, [startKey, test]);

  return (
    <section aria-label="Connection test">
      {run.kind === "done" && <Verdict verdict={run.verdict} />}
      <Group gap="sm" mt={run.kind === "done" ? "xs" : 0}>
        <Button variant="default" size="xs" onClick={() => void test()} disabled={run.kind === "testing"}>
          {run.kind === "done" ? "Test connection again" : "Test connection"}
        </Button>
        {run.kind === "testing" && (
          <Group gap={6} role="status">
            <Loader size="xs" />
            <Text size="sm">Testing your connection…</Text>
          </Group>
        )}
      </Group>
    </section>
  );
}
