import { type ClientRequest, type ClientRequestArgs, get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { isIP, connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { App } from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";

declare module "fastify" {
  interface FastifyInstance {
    /** The balanced upstreams (a route given several URLs), by route name. */
    upstreamPools: Record<string, UpstreamPool>;
  }
}

export interface UpstreamPoolOptions {
  /** The route's name, for logs. */
  name: string;
  /** Base URLs of the instances; they differ by host or port only (checked by the config). */
  urls: readonly string[];
  /** Pause between two rounds of readiness checks (GATEWAY_HEALTH_INTERVAL_MS). */
  intervalMs: number;
  /** Consecutive failed checks that take an instance out (GATEWAY_HEALTH_FAILURES). */
  failureThreshold: number;
  /** How long one readiness check may take. */
  probeTimeoutMs: number;
  /** How long the TCP connection of a WebSocket's upstream half may take (UPSTREAM_TIMEOUT_MS). */
  connectTimeoutMs: number;
  log: FastifyBaseLogger;
  now?: () => Date;
}

/** One instance as `/health` shows it; the fields of a single upstream's status, plus where and when. */
export interface InstanceReport {
  /** Its position in VIDEO_URL (1 = first): `/health` is public, so internal addresses are not shown. */
  index: number;
  /** The id the instance answers with (`x-served-by` of its last `/readyz`), once known. */
  instance?: string;
  /** UP: in rotation. DOWN: taken out until a readiness check passes again. */
  status: "UP" | "DOWN";
  /** When its readiness was last checked (ISO 8601); null before the first check. */
  last_check: string | null;
  /** When it last went UP or DOWN, if it ever changed. */
  since?: string;
  /** Its `/readyz` status code, when it answered. */
  http_status?: number;
  /** Why it is down when it did not answer: UNREACHABLE (refused, no route) or TIMEOUT. */
  reason?: "UNREACHABLE" | "TIMEOUT";
  /** Its own dependency checks, as its `/readyz` reported them. */
  checks?: Record<string, string>;
}

export interface UpstreamInstance {
  /** The base URL as configured (what the proxy is given). */
  readonly url: string;
  readonly target: URL;
  status: "UP" | "DOWN";
  failures: number;
  lastCheck?: Date;
  since?: Date;
  httpStatus?: number;
  reason?: "UNREACHABLE" | "TIMEOUT";
  checks?: Record<string, string>;
  /** Its `x-served-by`, kept from the last answer that carried one. */
  instanceId?: string;
  /** Order of the newest observation applied: a slow check started earlier never overrides it. */
  seen: number;
}

/** What an instance id may look like before it is shown on `/health` (the video config's pattern is stricter). */
const instanceIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Errors of the connection phase: the instance was never reached, so nothing was sent and the
 * request may go to another one. A reset or timeout after connecting is not among them.
 */
const connectFailures = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
/**
 * Name-resolution failures: safe to retry elsewhere, but a DNS blip fails every instance at
 * once, so they count as one failed check instead of taking the instance out on the spot.
 */
const resolutionFailures = new Set(["ENOTFOUND", "EAI_AGAIN"]);

export function isConnectFailure(error: unknown): boolean {
  const direct = (error as { code?: unknown } | undefined)?.code;
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return connectFailures.has(String(cause ?? direct));
}

type OnCreate = (err: Error | null, socket?: Socket) => void;

interface ProbeOutcome {
  ok: boolean;
  /** The connection was refused: the instance is out at once, without waiting for the threshold. */
  refused?: boolean;
  httpStatus?: number;
  reason?: "UNREACHABLE" | "TIMEOUT";
  checks?: Record<string, string>;
  instanceId?: string;
}

const maxProbeBody = 64 * 1024;

/**
 * The instances of one replicated service: round robin over those in rotation (no
 * stickiness), readiness checks (`GET /readyz`, the probe meant for load balancers: 503 while
 * a dependency is down, under pressure or shutting down) every `intervalMs`, an instance out
 * after `failureThreshold` failed checks in a row — at once when its connection is refused, by
 * a check or by a request — and back after one passing check.
 */
export class UpstreamPool {
  readonly name: string;
  readonly instances: readonly UpstreamInstance[];
  readonly #options: UpstreamPoolOptions;
  readonly #byUrl: Map<string, UpstreamInstance>;
  /** Which instance each WebSocket upstream connection reached (for its Host header). */
  readonly #dialled = new WeakMap<Socket, UpstreamInstance>();
  readonly #now: () => Date;
  #cursor = 0;
  #observations = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = new AbortController();

  constructor(options: UpstreamPoolOptions) {
    this.#options = options;
    this.name = options.name;
    this.#now = options.now ?? (() => new Date());
    this.instances = options.urls.map((url) => ({ url, target: new URL(url), status: "UP", failures: 0, seen: 0 }));
    this.#byUrl = new Map(this.instances.map((instance) => [instance.url, instance]));
  }

  /** Some instance is in rotation. */
  available(): boolean {
    return this.instances.some((instance) => instance.status === "UP");
  }

  /** The next instance in rotation after the last one picked, other than `except`; none when all are out. */
  pick(except?: UpstreamInstance): UpstreamInstance | undefined {
    const count = this.instances.length;
    for (let step = 0; step < count; step++) {
      const index = (this.#cursor + step) % count;
      const candidate = this.instances[index];
      if (candidate && candidate !== except && candidate.status === "UP") {
        this.#cursor = (index + 1) % count;
        return candidate;
      }
    }
    return undefined;
  }

  /**
   * For the proxy, which must name an upstream: the next in rotation, or when every instance
   * went out since the request was admitted, the next one anyway (its failure answers 502).
   */
  next(): UpstreamInstance {
    const picked = this.pick();
    if (picked) return picked;
    const fallback = this.instances[this.#cursor % this.instances.length] as UpstreamInstance;
    this.#cursor = (this.#cursor + 1) % this.instances.length;
    return fallback;
  }

  byUrl(url: string): UpstreamInstance | undefined {
    return this.#byUrl.get(url);
  }

  /** A request could not connect to `instance`: out of rotation at once, back after a passing check. */
  refused(instance: UpstreamInstance, code: string | undefined): void {
    instance.seen = ++this.#observations;
    const resolution = code !== undefined && resolutionFailures.has(code);
    instance.failures = resolution
      ? instance.failures + 1
      : Math.max(instance.failures + 1, this.#options.failureThreshold);
    instance.httpStatus = undefined;
    instance.checks = undefined;
    instance.reason = "UNREACHABLE";
    if (instance.failures >= this.#options.failureThreshold) {
      this.#setStatus(instance, "DOWN", { cause: code, by: "request" });
    }
  }

  /** One round of readiness checks of every instance; resolves when all are applied. Never rejects. */
  async checkNow(): Promise<void> {
    await Promise.all(this.instances.map((instance) => this.#check(instance)));
  }

  /** Checks now, then every `intervalMs` after the previous round finished (rounds never overlap). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const round = () => {
      void this.checkNow().then(() => {
        if (!this.#running) return;
        this.#timer = setTimeout(round, this.#options.intervalMs);
        this.#timer.unref();
      });
    };
    round();
  }

  /** Stops the checks and aborts those in flight. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#stopped.abort();
  }

  report(): { status: "UP" | "DOWN"; instances: InstanceReport[] } {
    return {
      status: this.available() ? "UP" : "DOWN",
      instances: this.instances.map((instance, i) => ({
        index: i + 1,
        ...(instance.instanceId ? { instance: instance.instanceId } : {}),
        status: instance.status,
        last_check: instance.lastCheck?.toISOString() ?? null,
        ...(instance.since ? { since: instance.since.toISOString() } : {}),
        ...(instance.httpStatus !== undefined ? { http_status: instance.httpStatus } : {}),
        ...(instance.reason ? { reason: instance.reason } : {}),
        ...(instance.checks ? { checks: instance.checks } : {}),
      })),
    };
  }

  /**
   * `createConnection` of the WebSocket client (http.request's asynchronous form): connects to
   * the instance the proxy picked and, when that connection is refused, marks it down and
   * connects once to the next instance in rotation, before a byte of the upgrade was sent.
   * The client's own socket is already open by then, so this is what spares it a 1011.
   */
  readonly connect = (options: ClientRequestArgs, done: OnCreate): undefined => {
    const first = this.instances.find((instance) => sameAddress(instance.target, options.host, options.port));
    if (!first) {
      done(new Error("WebSocket upstream is not an instance of this pool"));
      return;
    }
    this.#dial(first, (err, socket) => {
      if (!err) return done(null, socket);
      if (!isConnectFailure(err)) return done(err);
      this.refused(first, codeOf(err));
      const other = this.pick(first);
      if (!other) return done(err);
      this.#options.log.info(
        { upstream: this.name, cause: codeOf(err) },
        "websocket upgrade retried on another instance",
      );
      this.#dial(other, (again, socket) => {
        if (again && isConnectFailure(again)) this.refused(other, codeOf(again));
        if (again) return done(again);
        done(null, socket);
      });
    });
    return undefined;
  };

  /**
   * `finishRequest`'s last step for a balanced WebSocket: the upgrade request is sent once
   * connected, naming in Host the instance actually reached (another one after a retry).
   */
  sendWhenConnected(request: ClientRequest): void {
    request.once("socket", (socket: Socket) => {
      const instance = this.#dialled.get(socket);
      if (instance) request.setHeader("host", instance.target.host);
      request.end();
    });
  }

  #dial(instance: UpstreamInstance, done: OnCreate): void {
    const host = bare(instance.target.hostname);
    const secure = instance.target.protocol === "https:";
    const port = Number(instance.target.port) || (secure ? 443 : 80);
    // As ws connects itself: SNI with the host name, none for an address.
    const socket = secure ? tlsConnect({ host, port, servername: isIP(host) ? "" : host }) : netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy(new Error("upstream connect timed out"));
    }, this.#options.connectTimeoutMs);
    const failed = (err: Error) => {
      clearTimeout(timer);
      done(err);
    };
    socket.once("error", failed);
    socket.once(secure ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.off("error", failed);
      this.#dialled.set(socket, instance);
      done(null, socket);
    });
  }

  async #check(instance: UpstreamInstance): Promise<void> {
    const order = ++this.#observations;
    const outcome = await this.#probe(instance);
    // A request's refusal, or a later check, was seen while this one was in flight: it is newer.
    if (order < instance.seen || this.#stopped.signal.aborted) return;
    instance.seen = order;
    instance.lastCheck = this.#now();
    instance.httpStatus = outcome.httpStatus;
    instance.reason = outcome.reason;
    instance.checks = outcome.checks;
    if (outcome.instanceId) instance.instanceId = outcome.instanceId;
    if (outcome.ok) {
      instance.failures = 0;
      this.#setStatus(instance, "UP", { by: "check" });
      return;
    }
    instance.failures++;
    if (outcome.refused || instance.failures >= this.#options.failureThreshold) {
      this.#setStatus(instance, "DOWN", {
        by: "check",
        failures: instance.failures,
        ...(outcome.httpStatus ? { http_status: outcome.httpStatus } : { reason: outcome.reason }),
      });
    }
  }

  /**
   * `GET /readyz` on a connection of its own (no keep-alive): what the proxy needs is that the
   * instance accepts new connections, and a pooled socket the instance closed when it stopped
   * would fail as a reset, not as the refusal it is.
   */
  #probe(instance: UpstreamInstance): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const url = new URL("/readyz", instance.url);
      let timedOut = false;
      const request = (url.protocol === "https:" ? httpsGet : httpGet)(
        url,
        { agent: false, headers: { accept: "application/json" }, signal: this.#stopped.signal },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            // A readiness answer is a few hundred bytes; more is not one, and is not kept.
            size += chunk.length;
            if (size <= maxProbeBody) chunks.push(chunk);
          });
          response.on("end", () => {
            clearTimeout(timer);
            const status = response.statusCode ?? 0;
            const checks = checksOf(Buffer.concat(chunks).toString("utf8"));
            const servedBy = response.headers["x-served-by"];
            const instanceId = typeof servedBy === "string" && instanceIdPattern.test(servedBy) ? servedBy : undefined;
            resolve({
              ok: status >= 200 && status < 300,
              httpStatus: status,
              ...(checks ? { checks } : {}),
              ...(instanceId ? { instanceId } : {}),
            });
          });
        },
      );
      const timer = setTimeout(() => {
        timedOut = true;
        request.destroy();
      }, this.#options.probeTimeoutMs);
      request.on("error", (err) => {
        clearTimeout(timer);
        resolve({
          ok: false,
          refused: isConnectFailure(err) && !resolutionFailures.has(codeOf(err) ?? ""),
          reason: timedOut ? "TIMEOUT" : "UNREACHABLE",
        });
      });
    });
  }

  #setStatus(instance: UpstreamInstance, status: "UP" | "DOWN", detail: Record<string, unknown>): void {
    if (instance.status === status) return;
    instance.status = status;
    instance.since = this.#now();
    const fields = { upstream: this.name, instance: displayUrl(instance.target), ...detail };
    if (status === "DOWN") this.#options.log.warn(fields, "upstream instance out of rotation");
    else this.#options.log.info(fields, "upstream instance back in rotation");
  }
}

/**
 * Starts every pool's checks when the app is ready and stops them when it closes, and makes
 * them reachable as `app.upstreamPools` (tests drive `checkNow()`; operators read `/health`).
 */
export function registerUpstreamPools(app: App, pools: UpstreamPool[]): void {
  app.decorate("upstreamPools", Object.fromEntries(pools.map((pool) => [pool.name, pool])));
  if (pools.length === 0) return;
  app.addHook("onReady", async () => {
    for (const pool of pools) pool.start();
  });
  app.addHook("onClose", async () => {
    for (const pool of pools) pool.stop();
  });
}

/** Scheme, host, port and path: never credentials, in a log line or `/health`. */
function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

function bare(hostname: string): string {
  return hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
}

function sameAddress(target: URL, host: string | null | undefined, port: number | string | null | undefined): boolean {
  const defaultPort = target.protocol === "https:" ? "443" : "80";
  return bare(target.hostname) === host && (target.port || defaultPort) === String(port);
}

/** The `checks` of a `/readyz` body (`{status, checks}` or the NOT_READY error with them), if any. */
function checksOf(text: string): Record<string, string> | undefined {
  try {
    const body = JSON.parse(text) as { checks?: unknown };
    return body && typeof body.checks === "object" && body.checks ? (body.checks as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { cause?: { code?: unknown }; code?: unknown }).cause?.code ?? (err as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}
