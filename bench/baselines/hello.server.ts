/** Reference for scenario 1: the least a Fastify server can do — no logger, no plugins, one JSON route. */
import Fastify from "fastify";
import { serveChild } from "../lib/serve-child.ts";

serveChild(async () => {
  const app = Fastify({ logger: false });
  app.get("/hello", async () => ({ hello: "world" }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return { port: address.port, close: () => app.close() };
});
