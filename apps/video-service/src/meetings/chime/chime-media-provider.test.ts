// Over 300 lines on purpose: one table of AWS failures per operation reads better in one file than split.

import {
  type Attendee as ChimeAttendee,
  type Meeting as ChimeMeeting,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  NotFoundException,
  ThrottlingException,
} from "@aws-sdk/client-chime-sdk-meetings";
import { createLogger, toErrorBody } from "@clinic/platform";
import { captureLogs } from "@clinic/platform/testing";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Meeting } from "../media-provider.ts";
import { MediaProviderError } from "../media-provider-error.ts";
import { createChimeMediaProvider } from "./chime-media-provider.ts";

const sessionId = "sess-7d7a1c7e-3b2f-4c55-9a51-0c8e3f6d2b10";
const userId = "0b6f3a52-1f47-4a8e-9a0c-5f2d7e9b4c31";
const requestToken = "5e0a8b1c-2d3f-4a5b-8c6d-7e8f9a0b1c2d";
const chimeMeeting: ChimeMeeting = {
  MeetingId: "6e7d5a8c-2b1f-4f3e-9d0a-1c2b3a4d5e6f",
  ExternalMeetingId: sessionId,
  MediaRegion: "eu-central-1",
  MediaPlacement: {
    AudioHostUrl: "3c0b2f1e.k.m2.ec1.app.chime.aws:3478",
    AudioFallbackUrl: "wss://haxrp.m2.ec1.app.chime.aws:443/calls/6e7d5a8c",
    SignalingUrl: "wss://signal.m2.ec1.app.chime.aws/control/6e7d5a8c",
    TurnControlUrl: "https://2713.cell.eu-central-1.meetings.chime.aws/v2/turn_sessions",
    ScreenDataUrl: "wss://bitpw.m2.ec1.app.chime.aws:443/v2/screen/6e7d5a8c",
  },
};
const chimeAttendee: ChimeAttendee = {
  AttendeeId: "a1b2c3d4-0000-4000-8000-000000000001",
  ExternalUserId: userId,
  JoinToken: "am9pbi10b2tlbi1zZWNyZXQ",
};
const meeting: Meeting = {
  meeting_id: chimeMeeting.MeetingId!,
  media_urls: { audio_host_url: "a", video_host_url: "v", signaling_url: "s" },
  provider_data: chimeMeeting,
};

const chime = mockClient(ChimeSDKMeetingsClient);
const client = new ChimeSDKMeetingsClient({ region: "us-east-1" });

beforeEach(() => chime.reset());
afterEach(() => vi.unstubAllEnvs());

const awsError = (name: string, fault: "client" | "server", httpStatusCode: number) =>
  Object.assign(new Error("User: arn:aws:iam::123456789012:user/clinic is not authorized; key AKIAEXAMPLESECRET"), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode, requestId: "req-42" },
  });

describe("createMeeting", () => {
  it("sends the start's token as ClientRequestToken and the session id as ExternalMeetingId in the media region", async () => {
    chime.on(CreateMeetingCommand).resolves({ Meeting: chimeMeeting });
    const provider = createChimeMediaProvider({ client, mediaRegion: "eu-central-1" });
    const created = await provider.createMeeting({
      session_id: sessionId,
      clinic_id: "clinic-1",
      request_token: requestToken,
    });

    expect(chime.commandCalls(CreateMeetingCommand).map((c) => c.args[0].input)).toEqual([
      { ClientRequestToken: requestToken, ExternalMeetingId: sessionId, MediaRegion: "eu-central-1" },
    ]);
    expect(created).toEqual({
      meeting_id: chimeMeeting.MeetingId,
      media_urls: {
        audio_host_url: chimeMeeting.MediaPlacement!.AudioHostUrl,
        video_host_url: chimeMeeting.MediaPlacement!.ScreenDataUrl,
        signaling_url: chimeMeeting.MediaPlacement!.SignalingUrl,
      },
      provider_data: chimeMeeting,
    });
    expect(provider.name).toBe("chime");
    expect(provider.iceServers).toEqual([]);
  });

  it("takes the media region from AWS_REGION, else us-east-1", async () => {
    chime.on(CreateMeetingCommand).resolves({ Meeting: chimeMeeting });
    vi.stubEnv("AWS_REGION", "ap-southeast-1");
    await createChimeMediaProvider({ client }).createMeeting({
      session_id: sessionId,
      clinic_id: "c",
      request_token: requestToken,
    });
    vi.stubEnv("AWS_REGION", undefined);
    await createChimeMediaProvider({ client }).createMeeting({
      session_id: sessionId,
      clinic_id: "c",
      request_token: requestToken,
    });
    expect(chime.commandCalls(CreateMeetingCommand).map((c) => c.args[0].input.MediaRegion)).toEqual([
      "ap-southeast-1",
      "us-east-1",
    ]);
  });

  it("refuses a media region that is not a region name when the provider is created", () => {
    expect(() => createChimeMediaProvider({ client, mediaRegion: "Frankfurt" })).toThrow(/not an AWS region/);
  });

  it("builds its own client from the AWS environment when none is injected", async () => {
    chime.on(CreateMeetingCommand).resolves({ Meeting: chimeMeeting });
    const provider = createChimeMediaProvider({ region: "us-east-1", mediaRegion: "us-east-1" });
    await expect(
      provider.createMeeting({ session_id: sessionId, clinic_id: "c", request_token: requestToken }),
    ).resolves.toMatchObject({
      meeting_id: chimeMeeting.MeetingId,
    });
    expect(chime.commandCalls(CreateMeetingCommand)).toHaveLength(1);
  });

  it("uses the audio host as video host when Chime gives no screen data URL", async () => {
    const { ScreenDataUrl: _, ...placement } = chimeMeeting.MediaPlacement!;
    chime.on(CreateMeetingCommand).resolves({ Meeting: { ...chimeMeeting, MediaPlacement: placement } });
    const created = await createChimeMediaProvider({ client }).createMeeting({
      session_id: sessionId,
      clinic_id: "c",
      request_token: requestToken,
    });
    expect(created.media_urls.video_host_url).toBe(placement.AudioHostUrl);
  });

  it("answers 502 INVALID_RESPONSE when Chime returns a meeting without media placement", async () => {
    chime.on(CreateMeetingCommand).resolves({ Meeting: { MeetingId: "m-1" } });
    const error = await createChimeMediaProvider({ client })
      .createMeeting({ session_id: sessionId, clinic_id: "c", request_token: requestToken })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaProviderError);
    expect(toErrorBody(error as MediaProviderError)).toMatchObject({ status: 502, reason: "INVALID_RESPONSE" });
  });

  it("refuses a session id or request token Chime cannot take, without calling Chime", async () => {
    const provider = createChimeMediaProvider({ client });
    for (const bad of ["x", "sess-".padEnd(65, "a"), "aws:sess-1"]) {
      await expect(
        provider.createMeeting({ session_id: bad, clinic_id: "c", request_token: requestToken }),
      ).rejects.toThrow(/ExternalMeetingId/);
    }
    for (const bad of ["x", "tok-".padEnd(65, "a"), "tok with space", "tok.1"]) {
      await expect(
        provider.createMeeting({ session_id: sessionId, clinic_id: "c", request_token: bad }),
      ).rejects.toThrow(/ClientRequestToken/);
    }
    expect(chime.calls()).toHaveLength(0);
  });
});

describe("createAttendee", () => {
  it("sends our user id as ExternalUserId and returns Chime's attendee id and join token", async () => {
    chime.on(CreateAttendeeCommand).resolves({ Attendee: chimeAttendee });
    const attendee = await createChimeMediaProvider({ client }).createAttendee(meeting, {
      session_id: sessionId,
      external_user_id: userId,
    });
    expect(chime.commandCalls(CreateAttendeeCommand).map((c) => c.args[0].input)).toEqual([
      { MeetingId: chimeMeeting.MeetingId, ExternalUserId: userId },
    ]);
    expect(attendee).toEqual({
      attendee_id: chimeAttendee.AttendeeId,
      join_token: chimeAttendee.JoinToken,
      external_user_id: userId,
      provider_data: chimeAttendee,
    });
  });

  it("pads a one-character user id to Chime's two-character minimum but reports our id", async () => {
    chime.on(CreateAttendeeCommand).resolves({ Attendee: { ...chimeAttendee, ExternalUserId: "_7" } });
    const attendee = await createChimeMediaProvider({ client }).createAttendee(meeting, {
      session_id: sessionId,
      external_user_id: "7",
    });
    expect(chime.commandCalls(CreateAttendeeCommand).map((c) => c.args[0].input.ExternalUserId)).toEqual(["_7"]);
    expect(attendee.external_user_id).toBe("7");
  });

  it.each(["", "aws:admin", "AWS:admin", "u".repeat(65), "user\u0000id"])(
    "refuses user id %j without calling Chime",
    async (bad) => {
      const provider = createChimeMediaProvider({ client });
      await expect(provider.createAttendee(meeting, { session_id: sessionId, external_user_id: bad })).rejects.toThrow(
        TypeError,
      );
      expect(chime.calls()).toHaveLength(0);
    },
  );

  it("answers 502 INVALID_RESPONSE when Chime returns an attendee without a join token", async () => {
    chime.on(CreateAttendeeCommand).resolves({ Attendee: { AttendeeId: "a-1" } });
    const provider = createChimeMediaProvider({ client });
    await expect(
      provider.createAttendee(meeting, { session_id: sessionId, external_user_id: userId }),
    ).rejects.toMatchObject({ status: 502, reason: "INVALID_RESPONSE" });
  });
});

describe("deleteAttendee and endMeeting", () => {
  it("send DeleteAttendee and DeleteMeeting for the stored ids", async () => {
    chime.on(DeleteAttendeeCommand).resolves({}).on(DeleteMeetingCommand).resolves({});
    const provider = createChimeMediaProvider({ client });
    await provider.deleteAttendee(meeting, chimeAttendee.AttendeeId!);
    await provider.endMeeting(meeting);
    expect(chime.commandCalls(DeleteAttendeeCommand).map((c) => c.args[0].input)).toEqual([
      { MeetingId: chimeMeeting.MeetingId, AttendeeId: chimeAttendee.AttendeeId },
    ]);
    expect(chime.commandCalls(DeleteMeetingCommand).map((c) => c.args[0].input)).toEqual([
      { MeetingId: chimeMeeting.MeetingId },
    ]);
  });

  it("treat NotFound as already done, so ending twice or after Chime's own timeout succeeds", async () => {
    const gone = new NotFoundException({ message: "The meeting does not exist", $metadata: { httpStatusCode: 404 } });
    chime.on(DeleteAttendeeCommand).rejects(gone).on(DeleteMeetingCommand).rejects(gone);
    const provider = createChimeMediaProvider({ client });
    await expect(provider.deleteAttendee(meeting, "a-1")).resolves.toBeUndefined();
    await expect(provider.endMeeting(meeting)).resolves.toBeUndefined();
    await expect(provider.endMeeting(meeting)).resolves.toBeUndefined();
    expect(chime.commandCalls(DeleteMeetingCommand)).toHaveLength(2);
  });

  it("still report other failures of DeleteMeeting as 502", async () => {
    chime.on(DeleteMeetingCommand).rejects(awsError("ServiceUnavailableException", "server", 503));
    await expect(createChimeMediaProvider({ client }).endMeeting(meeting)).rejects.toMatchObject({
      status: 502,
      code: "MEDIA_PROVIDER_ERROR",
      operation: "endMeeting",
      reason: "UNAVAILABLE",
    });
  });
});

describe("AWS failures", () => {
  const cases = [
    ["ThrottlingException", "client", 429, "THROTTLED", true],
    ["ServiceUnavailableException", "server", 503, "UNAVAILABLE", true],
    ["ServiceFailureException", "server", 500, "UNAVAILABLE", true],
    ["ForbiddenException", "client", 403, "ACCESS_DENIED", false],
    ["UnauthorizedException", "client", 401, "ACCESS_DENIED", false],
    ["UnrecognizedClientException", "client", 403, "ACCESS_DENIED", false],
    ["BadRequestException", "client", 400, "REJECTED", false],
    ["UnprocessableEntityException", "client", 422, "REJECTED", false],
    ["LimitExceededException", "client", 400, "LIMIT_EXCEEDED", false],
    ["SomethingNewException", "server", 500, "UNAVAILABLE", true],
    ["SomethingNewException", "client", 400, "UNKNOWN", false],
  ] as const;

  it.each(cases)("%s (%s %i) on CreateMeeting → 502 %s", async (name, fault, http, reason, retryable) => {
    chime.on(CreateMeetingCommand).rejects(awsError(name, fault, http));
    const error = await createChimeMediaProvider({ client })
      .createMeeting({ session_id: sessionId, clinic_id: "c", request_token: requestToken })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaProviderError);
    const body = toErrorBody(error as MediaProviderError);
    expect(body).toEqual({
      error: expect.stringMatching(/^The video provider could not create the meeting: /),
      status: 502,
      code: "MEDIA_PROVIDER_ERROR",
      provider: "chime",
      operation: "createMeeting",
      reason,
      retryable,
    });
    // AWS wording can carry ARNs and account ids: it stays out of the response.
    expect(JSON.stringify(body)).not.toMatch(/arn:aws|123456789012|AKIA/);
  });

  it.each([
    [
      "credentials missing",
      Object.assign(new Error("Could not load credentials"), { name: "CredentialsProviderError" }),
    ],
    ["region missing", new Error("Region is missing")],
  ])("%s → 502 ACCESS_DENIED", async (_label, err) => {
    chime.on(CreateMeetingCommand).rejects(err);
    await expect(
      createChimeMediaProvider({ client }).createMeeting({
        session_id: sessionId,
        clinic_id: "c",
        request_token: requestToken,
      }),
    ).rejects.toMatchObject({ status: 502, reason: "ACCESS_DENIED", retryable: false });
  });

  it.each([
    ["connection refused", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })],
    ["request timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" })],
  ])("%s → 502 UNAVAILABLE, retryable", async (_label, err) => {
    chime.on(CreateAttendeeCommand).rejects(err);
    await expect(
      createChimeMediaProvider({ client }).createAttendee(meeting, { session_id: sessionId, external_user_id: userId }),
    ).rejects.toMatchObject({ status: 502, operation: "createAttendee", reason: "UNAVAILABLE", retryable: true });
  });

  it("NotFound on CreateAttendee means the meeting has ended at Chime: 502 MEETING_NOT_FOUND", async () => {
    chime.on(CreateAttendeeCommand).rejects(new NotFoundException({ message: "gone", $metadata: {} }));
    const error = await createChimeMediaProvider({ client })
      .createAttendee(meeting, { session_id: sessionId, external_user_id: userId })
      .catch((e: unknown) => e);
    expect(toErrorBody(error as MediaProviderError)).toMatchObject({
      status: 502,
      error: "The video provider could not add the attendee to the meeting: the meeting no longer exists",
      reason: "MEETING_NOT_FOUND",
    });
  });

  it("a failed CreateAttendee leaves the meeting for the caller, whose endMeeting removes it", async () => {
    chime
      .on(CreateMeetingCommand)
      .resolves({ Meeting: chimeMeeting })
      .on(CreateAttendeeCommand)
      .rejects(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 429 } }))
      .on(DeleteMeetingCommand)
      .resolves({});
    const provider = createChimeMediaProvider({ client });
    const created = await provider.createMeeting({
      session_id: sessionId,
      clinic_id: "c",
      request_token: requestToken,
    });
    await expect(
      provider.createAttendee(created, { session_id: sessionId, external_user_id: userId }),
    ).rejects.toMatchObject({ status: 502, reason: "THROTTLED" });
    expect(chime.commandCalls(DeleteMeetingCommand)).toHaveLength(0);

    await provider.endMeeting(created);
    expect(chime.commandCalls(DeleteMeetingCommand).map((c) => c.args[0].input)).toEqual([
      { MeetingId: chimeMeeting.MeetingId },
    ]);
  });

  it("logs the failure with AWS error name and request id, never AWS wording or join tokens", async () => {
    const logs = captureLogs();
    const logger = createLogger("video-service", "debug", logs.stream);
    chime
      .on(CreateAttendeeCommand)
      .resolvesOnce({ Attendee: chimeAttendee })
      .rejectsOnce(awsError("ForbiddenException", "client", 403));
    const provider = createChimeMediaProvider({ client, logger });
    await provider.createAttendee(meeting, { session_id: sessionId, external_user_id: userId });
    await expect(
      provider.createAttendee(meeting, { session_id: sessionId, external_user_id: userId }),
    ).rejects.toBeInstanceOf(MediaProviderError);

    const failure = logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === "chime call failed");
    expect(failure).toMatchObject({
      level: 40,
      operation: "createAttendee",
      meeting_id: chimeMeeting.MeetingId,
      reason: "ACCESS_DENIED",
      provider_error: "ForbiddenException",
      provider_request_id: "req-42",
      provider_status: 403,
    });
    expect(logs.text()).toContain(chimeAttendee.AttendeeId);
    expect(logs.text()).not.toContain(chimeAttendee.JoinToken);
    expect(logs.text()).not.toMatch(/arn:aws|AKIA/);
  });
});
