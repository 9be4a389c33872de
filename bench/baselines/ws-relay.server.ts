/**
 * Reference for scenario 5: a bare `ws` relay doing the same forwarding as the video
 * service's signalling (JSON frames, `to` → the attendee of the same meeting, `from`
 * stamped by the server) with no authentication, database or attendance bookkeeping.
 * URL: /relay/<meeting>?attendee=<id>
 */
import { createServer } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import { serveChild } from "../lib/serve-child.ts";

serveChild(async () => {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  const meetings = new Map<string, Map<string, WebSocket>>();

  wss.on("connection", (socket, request) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const meetingId = url.pathname.split("/")[2] ?? "";
    const attendeeId = url.searchParams.get("attendee") ?? "";
    const attendees = meetings.get(meetingId) ?? new Map<string, WebSocket>();
    meetings.set(meetingId, attendees);
    socket.send(JSON.stringify({ type: "welcome", attendee_id: attendeeId, attendees: [...attendees.keys()] }));
    for (const other of attendees.values())
      other.send(JSON.stringify({ type: "attendee.joined", attendee_id: attendeeId }));
    attendees.set(attendeeId, socket);

    socket.on("message", (data) => {
      let message: { type?: string; to?: string };
      try {
        message = JSON.parse(String(data));
      } catch {
        socket.close(4400, "bad message");
        return;
      }
      if (message.type === "heartbeat") return;
      const { to, ...rest } = message;
      const target = to ? attendees.get(to) : undefined;
      target?.send(JSON.stringify({ ...rest, from: attendeeId }));
    });
    socket.on("close", () => {
      attendees.delete(attendeeId);
      if (attendees.size === 0) meetings.delete(meetingId);
    });
  });

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
