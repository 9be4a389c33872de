/**
 * Reference for scenario 5: a bare `ws` relay doing the same forwarding as the video
 * service's signalling (JSON frames, `to` → the attendee of the same meeting, `from`
 * stamped by the server) with no authentication, database or attendance bookkeeping.
 * URL: /relay/<meeting>?attendee=<id>
 */
import { createServer } from "node:http";
import { serveChild } from "../lib/serve-child.ts";
import { attachRelay } from "./relay.ts";

serveChild(async () => {
  const server = createServer();
  const wss = attachRelay(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
