import http from "node:http";
import https from "node:https";
import { Webhook } from "standardwebhooks";
import { AddressRefused, literalAddressRefusal, pinnedLookup, type UrlPolicy } from "./webhook-url.ts";

/**
 * One delivery attempt: a JSON POST signed per the Standard Webhooks specification
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md)
 * with the reference `standardwebhooks` package. No redirects are followed; any non-2xx,
 * timeout or network error is a failure the worker retries.
 *
 * Not fetch (the service's usual client): fetch cannot pin the connection to the address that
 * was checked, node's http `lookup` hook can, which is what stops DNS rebinding here.
 */
export interface Attempt {
  url: string;
  /** whsec_<base64>: the key is the decoded bytes. */
  secret: string;
  /** `webhook-id`: the delivery's message id, the same on every attempt. */
  messageId: string;
  body: string;
  timeoutMs: number;
  policy: UrlPolicy;
  /** Aborted when the app closes. */
  signal?: AbortSignal;
}

export type AttemptResult =
  | { ok: true; statusCode: number }
  | { ok: false; statusCode: number | null; error: string; aborted?: boolean };

/** The three Standard Webhooks headers; `timestamp` is the attempt's own time (wall clock). */
export function signatureHeaders(secret: string, messageId: string, body: string, timestamp: Date) {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(messageId, timestamp, body),
  };
}

export function sendAttempt(attempt: Attempt): Promise<AttemptResult> {
  const url = new URL(attempt.url);
  const refused = literalAddressRefusal(url, attempt.policy);
  if (refused) return Promise.resolve({ ok: false, statusCode: null, error: refused.message });
  const timeout = AbortSignal.timeout(attempt.timeoutMs);
  const signal = attempt.signal ? AbortSignal.any([timeout, attempt.signal]) : timeout;
  const body = Buffer.from(attempt.body, "utf8");
  const client = url.protocol === "https:" ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    const request = client.request(url, {
      method: "POST",
      agent: false,
      lookup: pinnedLookup(attempt.policy) as unknown as http.RequestOptions["lookup"],
      signal,
      headers: {
        "content-type": "application/json",
        "content-length": String(body.length),
        "user-agent": "clinic-video-webhooks/1",
        ...signatureHeaders(attempt.secret, attempt.messageId, attempt.body, new Date()),
      },
    });
    request.on("response", (response) => {
      const statusCode = response.statusCode ?? 0;
      // Only the status matters; the body is not read (a receiver cannot make us wait on it).
      response.destroy();
      request.destroy();
      if (statusCode >= 200 && statusCode < 300) resolve({ ok: true, statusCode });
      else resolve({ ok: false, statusCode, error: `HTTP ${statusCode}` });
    });
    request.on("error", (err: NodeJS.ErrnoException) => {
      if (attempt.signal?.aborted) return resolve({ ok: false, statusCode: null, error: "aborted", aborted: true });
      if (timeout.aborted)
        return resolve({ ok: false, statusCode: null, error: `timeout after ${attempt.timeoutMs} ms` });
      if (err instanceof AddressRefused) return resolve({ ok: false, statusCode: null, error: err.message });
      // The code only: a message may carry addresses or TLS details nobody needs in the record.
      resolve({ ok: false, statusCode: null, error: `network error (${err.code ?? err.name})` });
    });
    request.end(body);
  });
}
