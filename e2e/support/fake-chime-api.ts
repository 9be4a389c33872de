import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One call the video service made, as the Chime SDK Meetings API received it. */
export interface ChimeApiCall {
  operation: "CreateMeeting" | "CreateAttendee" | "DeleteAttendee" | "DeleteMeeting";
  meetingId?: string;
  attendeeId?: string;
  externalUserId?: string;
}

export interface FakeChimeApi {
  /** For AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS (the AWS SDK's per-service endpoint variable). */
  url: string;
  calls: ChimeApiCall[];
  close(): Promise<void>;
}

/**
 * Test support: the four Amazon Chime SDK Meetings REST operations the video service calls
 * (`POST /meetings`, `POST /meetings/{id}/attendees`, `DELETE /meetings/{id}/attendees/{id}`,
 * `DELETE /meetings/{id}`), on 127.0.0.1, with Chime's idempotency on ExternalUserId (the same
 * user gets the same attendee until it is deleted). The real AWS SDK client talks to it over
 * HTTP, request signing included; the signature is not checked.
 */
export async function startFakeChimeApi(): Promise<FakeChimeApi> {
  const calls: ChimeApiCall[] = [];
  const meetings = new Map<string, { deleted: boolean; attendees: Map<string, Record<string, string>> }>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, string>) : {};
    const path = new URL(req.url ?? "/", "http://chime").pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const json = (status: number, payload?: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(payload === undefined ? "" : JSON.stringify(payload));
    };
    const notFound = () => {
      res.setHeader("x-amzn-errortype", "NotFoundException");
      json(404, { Code: "NotFound", Message: "The requested resource does not exist" });
    };
    if (req.method === "POST" && path.length === 1 && path[0] === "meetings") {
      const meetingId = randomUUID();
      meetings.set(meetingId, { deleted: false, attendees: new Map() });
      calls.push({ operation: "CreateMeeting", meetingId });
      return json(200, {
        Meeting: {
          MeetingId: meetingId,
          ExternalMeetingId: body.ExternalMeetingId,
          MediaRegion: body.MediaRegion ?? "us-east-1",
          MediaPlacement: {
            AudioHostUrl: `${meetingId}.k.m1.ue1.app.chime.aws:3478`,
            AudioFallbackUrl: `wss://haxrp.m1.ue1.app.chime.aws:443/calls/${meetingId}`,
            ScreenDataUrl: `wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/${meetingId}`,
            SignalingUrl: `wss://signal.m1.ue1.app.chime.aws/control/${meetingId}`,
            TurnControlUrl: "https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions",
          },
        },
      });
    }
    const meeting = path[0] === "meetings" && path[1] ? meetings.get(path[1]) : undefined;
    if (!meeting || meeting.deleted) return notFound();
    const meetingId = path[1];
    if (req.method === "POST" && path.length === 3 && path[2] === "attendees") {
      const externalUserId = body.ExternalUserId ?? "";
      let attendee = meeting.attendees.get(externalUserId);
      if (!attendee) {
        attendee = { AttendeeId: randomUUID(), ExternalUserId: externalUserId, JoinToken: `chime-${randomUUID()}` };
        meeting.attendees.set(externalUserId, attendee);
      }
      calls.push({ operation: "CreateAttendee", meetingId, attendeeId: attendee.AttendeeId, externalUserId });
      return json(200, { Attendee: attendee });
    }
    if (req.method === "DELETE" && path.length === 4 && path[2] === "attendees") {
      calls.push({ operation: "DeleteAttendee", meetingId, attendeeId: path[3] });
      for (const [user, a] of meeting.attendees) if (a.AttendeeId === path[3]) meeting.attendees.delete(user);
      return json(204);
    }
    if (req.method === "DELETE" && path.length === 2) {
      calls.push({ operation: "DeleteMeeting", meetingId });
      meeting.deleted = true;
      return json(204);
    }
    return notFound();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
