import { describeError } from "../../components/error-state.tsx";
import { ApiError } from "../../lib/api-error.ts";

/** What the admin can do about each URL refusal (video service README, "URL rules"). */
const hints: Record<string, string> = {
  WEBHOOK_URL_INVALID: "Enter the full address, starting with https://.",
  WEBHOOK_URL_NOT_HTTPS: "Use an https:// address: deliveries are not sent over plain http.",
  WEBHOOK_URL_CREDENTIALS:
    "Remove the user name and password from the address: every delivery is signed with the endpoint's secret instead.",
  WEBHOOK_URL_UNRESOLVABLE: "Check the host name for typos, and that it is published in public DNS.",
  WEBHOOK_URL_PRIVATE:
    "Private and loopback addresses (such as localhost, 127.0.0.1, 10.x.x.x or 192.168.x.x) are refused, unless the video service runs with WEBHOOK_ALLOW_PRIVATE=1 (meant for a developer's own machine).",
};

export const isUrlRefusal = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.status === 400 && error.code.startsWith("WEBHOOK_URL_");

/** A refused registration in plain words: the server's sentence, and for a URL rule what to change. */
export function describeCreateError(error: unknown): string {
  if (error instanceof ApiError && error.status === 400) {
    const hint = hints[error.code];
    return hint ? `${error.error.replace(/\.$/, "")}. ${hint}` : error.error;
  }
  return describeError(error, "Webhook endpoint").message;
}
