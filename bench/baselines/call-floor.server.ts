/**
 * Floor of scenario 6: serves `call-floor.html` at `/` and the bare relay (`relay.ts`) on
 * the same port, so two Chromium contexts can set up a call with nothing of the product in
 * the way: no sign-in, no API, no database, no gateway.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { serveChild } from "../lib/serve-child.ts";
import { attachRelay } from "./relay.ts";

export const callFloorPage = readFileSync(new URL("./call-floor.html", import.meta.url));

serveChild(async () => {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" || path !== "/") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    response.end(callFloorPage);
  });
  const wss = attachRelay(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
