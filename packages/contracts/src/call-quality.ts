import { type Static, Type } from "typebox";
import { UserType } from "./attendee.ts";
import { Timestamp } from "./common.ts";

/**
 * The quality record (issue 12): at the end of a call each side's browser sends a summary of
 * its WebRTC stats, `POST /api/video/sessions/{session_id}/quality`; the session details show
 * them beside the doctor's star rating. Figures are bounded so nonsense is a 400.
 */

/**
 * A number or null ("not measured"). One nullable type rather than a union with null: the
 * validator coerces types, and as a union a 0 would slip through as null (see OptionalRating).
 */
const nullableNumber = (maximum: number, description: string) =>
  Type.Unsafe<number | null>({ type: ["number", "null"], minimum: 0, maximum, description });
const seconds = (description: string) => Type.Integer({ minimum: 0, maximum: 86_400, description });

const summaryFields = {
  rtt_ms_median: nullableNumber(60_000, "Median round-trip time (ms); null: never measured"),
  packet_loss_pct: nullableNumber(100, "Packets lost of those sent to this side, whole call (%)"),
  outgoing_kbps_median: nullableNumber(100_000, "Median bitrate this side sent (kbit/s)"),
  incoming_kbps_median: nullableNumber(100_000, "Median bitrate this side received (kbit/s)"),
  sent_resolution: Type.Union([Type.String({ pattern: "^[0-9]{1,5}x[0-9]{1,5}$", maxLength: 11 }), Type.Null()], {
    description: "The video resolution sent most often, e.g. 1280x720; null: no video sent",
  }),
  relay_seconds: seconds("Seconds the media went through a TURN relay"),
  audio_only_seconds: seconds("Seconds in audio-only mode because the link was weak"),
  call_seconds: seconds("Seconds this side was in the call"),
};

export const CallQualitySummary = Type.Object(summaryFields, { additionalProperties: false });
export type CallQualitySummary = Static<typeof CallQualitySummary>;

export const CallQualityReport = Type.Object({
  side: UserType,
  ...summaryFields,
  reported_at: Timestamp,
});
export type CallQualityReport = Static<typeof CallQualityReport>;
