import type { Server } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * The bare `ws` relay of the bench's floors: JSON frames, `to` → the attendee of the same
 * meeting, `from` stamped by the server, a `welcome` listing who is there and
 * `attendee.joined` to the others; no authentication, database or bookkeeping.
 * URL: /relay/<meeting>?attendee=<id>. Returns the server's WebSocketServer (to close it).
 */
export function attachRelay(server: Server): WebSocketServer {
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
      if (attendees.get(attendeeId) === socket) attendees.delete(attendeeId);
      if (attendees.size === 0) meetings.delete(meetingId);
    });
  });
  return wss;
}
