/**
 * The identifiers we hand to Chime, checked against its documented limits before any call,
 * so a bad value fails here with our words instead of as an AWS BadRequest mid-start.
 * https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_meeting-chime_CreateMeeting.html
 * https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_meeting-chime_CreateAttendee.html
 */

export const DEFAULT_MEDIA_REGION = "us-east-1";

/** ExternalMeetingId / ExternalUserId: 2–64 characters of this set, not starting with "aws:". */
const externalIdPattern = /^[-_&@+=,(){}[\]/«».:|'"#a-zA-Z0-9À-ÿ\s]{2,64}$/;
/** ClientRequestToken: 2–64 characters, letters, digits, "-" and "_". */
const requestTokenPattern = /^[-_a-zA-Z0-9]{2,64}$/;
/** Region names such as us-east-1, eu-central-1, us-gov-west-1. */
const regionPattern = /^[a-z]{2}(-gov)?-[a-z]+-\d+$/;

function isExternalId(value: string): boolean {
  return externalIdPattern.test(value) && !value.toLowerCase().startsWith("aws:");
}

/**
 * CreateMeeting keys for one start attempt of a session. The attempt's own token is the
 * idempotency token: the SDK's retries of this call get the same meeting, and a later attempt
 * (after this one failed and ended its meeting) a new one — Chime only promises "a different
 * token for different meetings", and may answer a reused token with the deleted meeting. The
 * session id is the external meeting id (finds the meeting in the AWS console / CloudTrail).
 */
export function chimeMeetingKeys(
  sessionId: string,
  requestToken: string,
): { ClientRequestToken: string; ExternalMeetingId: string } {
  if (!isExternalId(sessionId)) {
    throw new TypeError("Session id cannot be used as a Chime ExternalMeetingId (2–64 allowed characters)");
  }
  if (!requestTokenPattern.test(requestToken)) {
    throw new TypeError("Request token cannot be used as a Chime ClientRequestToken (2–64 letters, digits, - or _)");
  }
  return { ClientRequestToken: requestToken, ExternalMeetingId: sessionId };
}

/**
 * ExternalUserId for one of our users. Chime needs at least two characters, so a one-character
 * id is padded with a leading "_"; anything Chime would refuse is a programming error here.
 * Chime treats ExternalUserId as an idempotency token within a meeting: the same user joining
 * again gets the same AttendeeId and JoinToken back ("the service returns the existing record"),
 * and a newer connection with it replaces the older one in the browser SDK.
 */
export function chimeExternalUserId(userId: string): string {
  const padded = userId.length === 1 ? `_${userId}` : userId;
  if (!isExternalId(padded)) {
    throw new TypeError("User id cannot be used as a Chime ExternalUserId (2–64 allowed characters)");
  }
  return padded;
}

export function assertMediaRegion(region: string): string {
  if (!regionPattern.test(region)) {
    throw new TypeError(`Chime media region "${region}" is not an AWS region name such as us-east-1`);
  }
  return region;
}
