import {
  type ClientSignal,
  type ServerSignal,
  SIGNAL_HEARTBEAT_INTERVAL_MS,
  SignalCloseCodes,
} from "@clinic/contracts/signalling";
import { backoffDelayMs } from "./backoff.ts";
import { isRemovedError } from "./call-state.ts";
import { signallingUrl } from "./signalling-url.ts";

/** Where the presence socket connects: the signalling URL and join token from start/join. */
export interface PresenceCredentials {
  signaling_url: string;
  join_token: string;
}

/** Why the socket will not come back: the call is over for this window. */
export type PresenceEnd = "ended" | "replaced" | "removed" | "forbidden";

export interface PresenceHandlers {
  /** Every server message (welcome, attendee.joined/left, media, session.ended, …). */
  onMessage(message: ServerSignal): void;
  /** The socket is open (again). */
  onOpen(): void;
  /** Lost for now: reconnecting in `delayMs`. */
  onRetry(attempt: number, delayMs: number): void;
  /** Final: the session ended, another window took over, the doctor removed this person, or no access. */
  onEnd(end: PresenceEnd): void;
  /**
   * Fresh credentials through POST /join (a token is short-lived, and a rejoin is what the server
   * expects after a drop). Throws an ApiError when the session cannot be joined any more.
   */
  renew(): Promise<PresenceCredentials>;
}

/**
 * The video service's signalling socket held by a client whose media runs elsewhere (Chime):
 * presence only, no offers or answers. While it is open the server counts the attendance
 * (an interval opens at connect and closes at close or after 30 s of silence), so metering,
 * the free-tier block and the idle end work as for embedded calls. Heartbeats every 10 s; a
 * drop reconnects with backoff (1, 2, 4 … 30 s) through a rejoin, never giving up while the
 * call lasts (Chime's media may still be up, and minutes not counted are minutes lost); a
 * `4503` (the server lost its Redis) retries with the same token.
 */
export class PresenceSocket {
  private socket: WebSocket | null = null;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private closed = false;

  constructor(
    private credentials: PresenceCredentials,
    private readonly handlers: PresenceHandlers,
  ) {}

  /** Opens (or re-opens, with new credentials) the socket. */
  open(credentials: PresenceCredentials = this.credentials) {
    this.credentials = credentials;
    this.closed = false;
    clearTimeout(this.retryTimer);
    this.drop();
    const ws = new WebSocket(signallingUrl(credentials.signaling_url, credentials.join_token, location));
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.attempt = 0;
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.send({ type: "heartbeat" }), SIGNAL_HEARTBEAT_INTERVAL_MS);
      this.handlers.onOpen();
    };
    ws.onmessage = (event) => {
      if (this.socket !== ws || typeof event.data !== "string") return;
      let message: ServerSignal;
      try {
        message = JSON.parse(event.data) as ServerSignal;
      } catch {
        return;
      }
      this.handlers.onMessage(message);
    };
    ws.onclose = (event) => {
      if (this.socket !== ws) return;
      this.socket = null;
      clearInterval(this.heartbeat);
      if (!this.closed) this.onClosed(event.code);
    };
  }

  send(message: ClientSignal) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Leaves for good: the server records the leave at once. */
  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.drop();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  private drop() {
    clearInterval(this.heartbeat);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "left");
  }

  private onClosed(code: number) {
    if (code === SignalCloseCodes.sessionEnded) return this.end("ended");
    if (code === SignalCloseCodes.replaced) return this.end("replaced");
    if (code === SignalCloseCodes.removed) return this.end("removed");
    if (code === SignalCloseCodes.forbidden || code === SignalCloseCodes.sessionNotFound) return this.end("forbidden");
    // The server cannot serve signalling for now; the token still connects: no rejoin per try.
    this.retry(code !== SignalCloseCodes.unavailable);
  }

  private end(end: PresenceEnd) {
    this.closed = true;
    this.handlers.onEnd(end);
  }

  private retry(renew: boolean) {
    const delay = backoffDelayMs(this.attempt++);
    this.handlers.onRetry(this.attempt, delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.reconnect(renew), delay);
  }

  private async reconnect(renew: boolean) {
    if (this.closed) return;
    if (!renew) return this.open();
    try {
      const fresh = await this.handlers.renew();
      if (!this.closed) this.open(fresh);
    } catch (error) {
      const status = (error as { status?: number }).status;
      // 409: the session is over; removed by the doctor; 403/404: no longer theirs. Else (network, 5xx): again.
      if (status === 409) this.end("ended");
      else if (isRemovedError(error)) this.end("removed");
      else if (status === 403 || status === 404) this.end("forbidden");
      else if (!this.closed) this.retry(true);
    }
  }
}
