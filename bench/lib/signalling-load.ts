import WebSocket from "ws";
import { type Summary, summarise } from "./stats.ts";

/** One meeting with two attendees; `url` is whatever their server wants (token or query). */
export interface MeetingPair {
  a: { attendeeId: string; url: string };
  b: { attendeeId: string; url: string };
}

export interface SignallingLoadOptions {
  /** Exchanges per meeting, spread evenly over `roundMs` each. */
  rounds: number;
  roundMs: number;
  iceCandidates: number;
  /** Sockets opened at once while connecting (a browser storm is not the point here). */
  connectConcurrency: number;
  /**
   * Before any exchange, wait until each side has been told the other is connected (`welcome`,
   * `attendee.joined`), as a browser does; needed with replicas, where that news crosses
   * instances. The bare relay baseline sends no such news.
   */
  waitForPeers?: boolean;
  /** Called when every socket is open and welcomed, before any exchange (memory is read here). */
  onAllConnected?: () => Promise<void>;
  /** Called once every exchange is done, before the sockets close (their leaves are other work). */
  onExchangesDone?: () => Promise<void>;
}

export interface SignallingLoadResult {
  sockets: number;
  connect_ms: number;
  offer: Summary;
  answer: Summary;
  ice: Summary;
  all: Summary;
  lost_exchanges: number;
  messages_per_sec: number;
}

// Realistic sizes: a browser's offer SDP is a few KB, an ICE candidate line ~100 B.
const sdpPadding = `v=0\r\n${"a=bench-padding-line-for-a-realistic-sdp-size\r\n".repeat(48)}`;
const candidatePadding = "candidate:842163049 1 udp 1677729535 192.0.2.10 51234 typ srflx raddr 0.0.0.0 rport 0";

type Incoming = {
  type: string;
  from?: string;
  sdp?: string;
  candidate?: { candidate?: string } | null;
  attendees?: { attendee_id: string }[];
  attendee?: { attendee_id: string };
  attendee_id?: string;
};

class Socket {
  private handlers = new Set<(m: Incoming) => void>();
  /** The other attendees this socket's server has said are connected (welcome, joined, left). */
  readonly peers = new Set<string>();
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as Incoming;
      if (message.type === "welcome") for (const a of message.attendees ?? []) this.peers.add(a.attendee_id);
      if (message.type === "attendee.joined" && message.attendee) this.peers.add(message.attendee.attendee_id);
      if (message.type === "attendee.left" && message.attendee_id) this.peers.delete(message.attendee_id);
      for (const h of this.handlers) h(message);
    });
  }

  static open(url: string, timeoutMs = 15_000): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const socket = new Socket(ws);
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no welcome within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.on((m) => {
        if (m.type === "welcome") {
          clearTimeout(timer);
          resolve(socket);
        }
      });
      ws.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      ws.once("close", (code, reason) => {
        clearTimeout(timer);
        reject(new Error(`closed before welcome: ${code} ${String(reason)}`));
      });
    });
  }

  on(handler: (m: Incoming) => void) {
    this.handlers.add(handler);
  }

  send(message: object) {
    this.ws.send(JSON.stringify(message));
  }
}

async function openAll(urls: string[], concurrency: number): Promise<Socket[]> {
  const sockets: Socket[] = new Array(urls.length);
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      sockets[i] = await Socket.open(urls[i] as string);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  return sockets;
}

/**
 * Waits (bounded) until each side of every meeting has been told the other is connected, as a
 * browser waits for `welcome`/`attendee.joined` before offering. With replicas the news of an
 * attendee on another instance comes through the fan-out, a moment after its welcome.
 */
async function peersKnown(pairs: MeetingPair[], sockets: Socket[], timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const missing = () =>
    pairs.filter((pair, i) => {
      const a = sockets[2 * i] as Socket;
      const b = sockets[2 * i + 1] as Socket;
      return !a.peers.has(pair.b.attendeeId) || !b.peers.has(pair.a.attendeeId);
    }).length;
  for (let left = missing(); left > 0; left = missing()) {
    if (performance.now() > deadline)
      throw new Error(`${left} meetings' attendees not told of each other within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Holds every attendee's socket open, then runs offer → answer → ICE exchanges between the
 * two attendees of each meeting, timing each relayed message from send to receipt (both
 * ends live in this process, so one clock).
 */
export async function runSignallingLoad(
  pairs: MeetingPair[],
  options: SignallingLoadOptions,
): Promise<SignallingLoadResult> {
  const started = performance.now();
  const urls = pairs.flatMap((p) => [p.a.url, p.b.url]);
  const sockets = await openAll(urls, options.connectConcurrency);
  const connectMs = performance.now() - started;
  // Each socket heartbeats every 10 s (as the browser does), at its own phase: browsers connect
  // at different moments, so their timers are spread, where one loop over all sockets would
  // put 1,000 heartbeats (and the server's 1,000 answers) in one burst every 10 s.
  const slices = 100;
  let slice = 0;
  const heartbeat = setInterval(() => {
    for (let i = slice; i < sockets.length; i += slices) {
      const s = sockets[i] as Socket;
      if (s.ws.readyState === WebSocket.OPEN) s.send({ type: "heartbeat" });
    }
    slice = (slice + 1) % slices;
  }, 10_000 / slices);
  try {
    if (options.waitForPeers) await peersKnown(pairs, sockets);
    await options.onAllConnected?.();
    const samples = { offer: [] as number[], answer: [] as number[], ice: [] as number[] };
    const sentAt = new Map<string, number>();
    const waiting = new Map<string, () => void>();

    // Every payload starts with "<id>|", id = "bench:<seq>" (offer, answer) or "bench:<seq>:<k>" (ICE).
    const idOf = (text: string | undefined) => text?.slice(0, text.indexOf("|"));
    pairs.forEach((pair, i) => {
      const a = sockets[2 * i] as Socket;
      const b = sockets[2 * i + 1] as Socket;
      b.on((m) => {
        const id = m.type === "offer" ? idOf(m.sdp) : m.type === "ice" ? idOf(m.candidate?.candidate) : undefined;
        const t0 = id ? sentAt.get(`${m.type}:${id}`) : undefined;
        if (!id || t0 === undefined) return;
        sentAt.delete(`${m.type}:${id}`);
        if (m.type === "offer") {
          samples.offer.push(performance.now() - t0);
          sentAt.set(`answer:${id}`, performance.now());
          b.send({ type: "answer", to: pair.a.attendeeId, sdp: `${id}|${sdpPadding}` });
        } else {
          samples.ice.push(performance.now() - t0);
          const [, seq, k] = id.split(":");
          if (Number(k) === options.iceCandidates - 1) waiting.get(`bench:${seq}`)?.();
        }
      });
      a.on((m) => {
        const id = m.type === "answer" ? idOf(m.sdp) : undefined;
        const t0 = id ? sentAt.get(`answer:${id}`) : undefined;
        if (!id || t0 === undefined) return;
        sentAt.delete(`answer:${id}`);
        samples.answer.push(performance.now() - t0);
        for (let k = 0; k < options.iceCandidates; k++) {
          const iceId = `${id}:${k}`;
          sentAt.set(`ice:${iceId}`, performance.now());
          a.send({
            type: "ice",
            to: pair.b.attendeeId,
            candidate: { candidate: `${iceId}|${candidatePadding}`, sdpMid: "0", sdpMLineIndex: 0 },
          });
        }
      });
    });

    let seq = 0;
    let lost = 0;
    const exchange = (i: number) => {
      const pair = pairs[i] as MeetingPair;
      const id = `bench:${seq++}`;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          lost++;
          waiting.delete(id);
          resolve();
        }, 10_000);
        waiting.set(id, () => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve();
        });
        sentAt.set(`offer:${id}`, performance.now());
        (sockets[2 * i] as Socket).send({ type: "offer", to: pair.b.attendeeId, sdp: `${id}|${sdpPadding}` });
      });
    };

    const exchangeStarted = performance.now();
    const gap = options.roundMs / pairs.length;
    const inFlight: Promise<void>[] = [];
    for (let r = 0; r < options.rounds; r++) {
      for (let i = 0; i < pairs.length; i++) {
        const due = exchangeStarted + (r * pairs.length + i) * gap;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        inFlight.push(exchange(i));
      }
    }
    await Promise.all(inFlight);
    const seconds = (performance.now() - exchangeStarted) / 1000;
    await options.onExchangesDone?.();
    const total = samples.offer.length + samples.answer.length + samples.ice.length;
    return {
      sockets: sockets.length,
      connect_ms: Math.round(connectMs),
      offer: summarise(samples.offer),
      answer: summarise(samples.answer),
      ice: summarise(samples.ice),
      all: summarise([...samples.offer, ...samples.answer, ...samples.ice]),
      lost_exchanges: lost,
      messages_per_sec: Math.round(total / seconds),
    };
  } finally {
    clearInterval(heartbeat);
    await Promise.all(
      sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.ws.readyState === WebSocket.CLOSED) return resolve();
            s.ws.once("close", () => resolve());
            s.ws.close(1000);
            setTimeout(() => {
              s.ws.terminate();
              resolve();
            }, 5000).unref();
          }),
      ),
    );
  }
}
