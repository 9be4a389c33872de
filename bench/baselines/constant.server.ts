/**
 * The trivial upstream of scenario 2's floor: bare `node:http` answering every request with
 * the same small JSON body, as cheaply as Node can. Put behind the gateway and hit directly
 * in the same run, it leaves only the proxy hop in the difference (the gateway's own cost),
 * which a real service's work would hide.
 */
import { createServer } from "node:http";
import { serveChild } from "../lib/serve-child.ts";

export const constantBody = JSON.stringify({ hello: "world" });

serveChild(async () => {
  const body = Buffer.from(constantBody);
  const server = createServer((request, response) => {
    // Drain any body so the connection stays reusable; the answer never depends on it.
    request.resume();
    response.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
