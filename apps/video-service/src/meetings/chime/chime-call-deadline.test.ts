import { createServer, type Server, type Socket } from "node:net";
import { ChimeSDKMeetingsClient } from "@aws-sdk/client-chime-sdk-meetings";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaProviderError } from "../media-provider-error.ts";
import { CHIME_MAX_CALL_MS, createChimeMediaProvider } from "./chime-media-provider.ts";

// A real AWS client against a server that accepts the connection and never answers. The
// client has the SDK's defaults, which wait for ever: the provider's own deadline ends the call.
describe("the deadline of a Chime call", () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let accepted = 0;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("is the provider's maxCallMs: 3 tries of 10 s plus the SDK's waits between them", () => {
    expect(CHIME_MAX_CALL_MS).toBe(43_000);
    expect(createChimeMediaProvider({ client: new ChimeSDKMeetingsClient({ region: "us-east-1" }) }).maxCallMs).toBe(
      CHIME_MAX_CALL_MS,
    );
  });

  it("ends a call Chime never answers: 502 UNAVAILABLE, retryable", async () => {
    const client = new ChimeSDKMeetingsClient({
      region: "us-east-1",
      endpoint,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const provider = createChimeMediaProvider({ client, callDeadlineMs: 300 });
    expect(provider.maxCallMs).toBe(300);
    const error = await provider
      .createMeeting({ session_id: "sess-deadline-1", clinic_id: "clinic-1", request_token: "tok-deadline-1" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaProviderError);
    expect(error).toMatchObject({ status: 502, operation: "createMeeting", reason: "UNAVAILABLE", retryable: true });
    // The request did reach the silent server: the deadline, not a refused connection, ended it.
    expect(accepted).toBeGreaterThan(0);
    client.destroy();
  });
});
