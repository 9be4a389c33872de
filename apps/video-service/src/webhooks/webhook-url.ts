import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { WebhookUrlRefused } from "../errors.ts";

/**
 * Where a webhook may be sent (README "Webhooks", URL rules): http(s) only, https in
 * production, no credentials in the URL, and only public unicast addresses — every address
 * the host name resolves to, checked when the endpoint is registered and again, on the very
 * address the connection uses, at each delivery (DNS rebinding) — unless
 * WEBHOOK_ALLOW_PRIVATE=1 (a developer's local receiver).
 */
export type Lookup = (hostname: string) => Promise<LookupAddress[]>;

export const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface UrlPolicy {
  /** NODE_ENV=production: https only. */
  production: boolean;
  /** WEBHOOK_ALLOW_PRIVATE=1: private, loopback and other non-public addresses allowed. */
  allowPrivate: boolean;
  lookup: Lookup;
}

const lookupTimeoutMs = 5000;

/**
 * ipaddr.js's name for the range of `address` ("unicast" is the public internet; IPv4-mapped
 * IPv6 is judged as the IPv4 address it carries). Anything unparsable is "invalid".
 */
function addressRange(address: string): string {
  const bare = address.replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(bare)) return "invalid";
  return ipaddr.process(bare).range();
}

/** The URL as it is safe to log: no query string (it may hold a receiver's token), no credentials. */
export function urlForLog(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid url)";
  }
}

/** Checks a URL an admin registers; returns it normalised (no fragment) or throws a 400. */
export async function checkWebhookUrl(raw: string, policy: UrlPolicy): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRefused("WEBHOOK_URL_INVALID", "The webhook URL is not a valid absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new WebhookUrlRefused("WEBHOOK_URL_INVALID", "The webhook URL must be an http or https URL");
  }
  if (policy.production && url.protocol !== "https:") {
    throw new WebhookUrlRefused("WEBHOOK_URL_NOT_HTTPS", "The webhook URL must use https");
  }
  if (url.username || url.password) {
    throw new WebhookUrlRefused(
      "WEBHOOK_URL_CREDENTIALS",
      "The webhook URL must not contain credentials; deliveries are signed instead",
    );
  }
  if (!url.hostname) throw new WebhookUrlRefused("WEBHOOK_URL_INVALID", "The webhook URL has no host");
  url.hash = "";
  if (!policy.allowPrivate) {
    const addresses = await resolveHost(url.hostname, policy.lookup);
    if (addresses.length === 0) throw unresolvable();
    const refused = addresses.map((a) => addressRange(a.address)).find((range) => range !== "unicast");
    if (refused) throw privateAddress(refused);
  }
  return url.href;
}

/** An IP literal as it is; a name through the resolver (bounded in time). */
async function resolveHost(hostname: string, lookup: Lookup): Promise<LookupAddress[]> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(bare)) return [{ address: bare, family: bare.includes(":") ? 6 : 4 }];
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      lookup(bare),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("lookup timed out")), lookupTimeoutMs);
      }),
    ]);
  } catch {
    throw unresolvable();
  } finally {
    clearTimeout(timer);
  }
}

const unresolvable = () =>
  new WebhookUrlRefused("WEBHOOK_URL_UNRESOLVABLE", "The webhook URL's host name does not resolve to an address");

const privateAddress = (range: string) =>
  new WebhookUrlRefused(
    "WEBHOOK_URL_PRIVATE",
    "The webhook URL points at a private, loopback or otherwise non-public address",
    { range },
  );

/** Raised by the delivery-time lookup when a name now resolves somewhere it may not go. */
export class AddressRefused extends Error {
  constructor(readonly range: string) {
    super(`address refused (${range})`);
    this.name = "AddressRefused";
  }
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node's http(s).request: resolves with `policy.lookup`, refuses the whole
 * host if any address is not public, and hands the checked addresses to the socket, so the
 * connection goes to an address that was checked (a second resolution cannot swap it).
 */
export function pinnedLookup(policy: UrlPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    policy.lookup(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return callback(new Error("no address"), "", 4);
        const refused = policy.allowPrivate
          ? undefined
          : addresses.map((a) => addressRange(a.address)).find((range) => range !== "unicast");
        if (refused) return callback(new AddressRefused(refused), "", 4);
        if (options.all) return callback(null, addresses);
        const [first] = addresses as [LookupAddress];
        return callback(null, first.address, first.family);
      },
      (err: Error) => callback(err, "", 4),
    );
  };
}

/** For a URL whose host is an IP literal (no lookup happens): the refusal, if any. */
export function literalAddressRefusal(url: URL, policy: UrlPolicy): AddressRefused | undefined {
  const bare = url.hostname.replace(/^\[|\]$/g, "");
  if (policy.allowPrivate || !ipaddr.isValid(bare)) return undefined;
  const range = addressRange(bare);
  return range === "unicast" ? undefined : new AddressRefused(range);
}
