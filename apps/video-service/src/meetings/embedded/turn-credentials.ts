import { createHmac } from "node:crypto";
import type { IceServer } from "@clinic/contracts";

/**
 * Ephemeral TURN credentials, the "TURN REST API" scheme coturn implements with
 * `use-auth-secret` + `static-auth-secret`: the username is "<expiry unix seconds>:<id>" and
 * the password is base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC and refuses
 * the allocation once the expiry has passed, so each person gets their own credential that
 * ends by itself — never a shared static password.
 */
export interface TurnSettings {
  /** `turn:`/`turns:` URLs of the TURN server(s) (TURN_URLS). */
  urls: string[];
  /** coturn's static-auth-secret (TURN_SECRET). Never logged, never sent. */
  secret: string;
  /** How long a credential is valid (TURN_TTL_S). */
  ttlSeconds: number;
}

/** base64(HMAC-SHA1(secret, username)): the password coturn expects for `username`. */
export function turnPassword(secret: string, username: string): string {
  return createHmac("sha1", secret).update(username).digest("base64");
}

/** The TURN entry of `ice_servers` for one attendee, valid `ttlSeconds` from `now`. */
export function turnIceServer(turn: TurnSettings, attendeeId: string, now: Date): IceServer {
  const expiry = Math.floor(now.getTime() / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${attendeeId}`;
  return { urls: [...turn.urls], username, credential: turnPassword(turn.secret, username) };
}
