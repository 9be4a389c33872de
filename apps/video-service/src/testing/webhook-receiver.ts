import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body, byte for byte as signed. */
  body: string;
}

/**
 * A webhook receiver on a real port of 127.0.0.1 for the tests: it records every request and
 * answers with the next status of `answers` (the last one repeats; default 200). A status of
 * 0 means never answer (a hung receiver, for timeouts); 302 answers with a redirect.
 */
export async function startWebhookReceiver(answers: number[] = [200]) {
  const received: ReceivedWebhook[] = [];
  const queue = [...answers];
  const hung = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const status = (queue.length > 1 ? queue.shift() : queue[0]) ?? 200;
      if (status === 0) {
        hung.add(response);
        return;
      }
      if (status === 302) response.setHeader("location", "/elsewhere");
      response.statusCode = status;
      response.end(status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/video?token=receiver-secret-query`,
    port,
    received,
    /** Replaces the answers still to come. */
    answer(...statuses: number[]) {
      queue.splice(0, queue.length, ...statuses);
    },
    async close() {
      for (const response of hung) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
