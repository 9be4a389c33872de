import { EventTypes } from "@clinic/contracts";
import { eventually, startTcpProxy, viaProxy } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { amqpUrl, backend, busTopology } from "../support/bus.ts";
import { childDatabase } from "../support/child-database.ts";
import { appointmentStatus, bookNow, endSession, startSession } from "../support/flows.ts";
import { eventProcessing } from "../support/logs.ts";
import { type System, startSystem } from "../support/system.ts";
import { startVideoChild, type VideoChild } from "../support/video-child.ts";

interface OutboxRow {
  event_id: string;
  type: string;
  sent_at: Date | null;
  payload: { data: { session_id: string } } | string;
}

/**
 * The video service in its own process, killed with SIGKILL between the commit of a session's
 * end (its event in the outbox) and the relay's publish being confirmed. The appointments
 * service (in this process) must still see the appointment COMPLETED, and apply it once.
 * Needs RabbitMQ: the two processes share a broker, and the broker link is what the test
 * interrupts (a TCP relay in front of it) to hold the event between commit and confirm.
 */
describe.skipIf(!amqpUrl)(`crash safety: video service SIGKILLed before its event is relayed (${backend})`, () => {
  const topology = busTopology("crash");
  const database = childDatabase("crash_video");
  let system: System;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let child: VideoChild | undefined;

  const startChild = () => {
    const broker = new URL(amqpUrl as string);
    return startVideoChild({
      ...database.env(),
      AMQP_URL: viaProxy(broker.toString(), proxy.port),
      TEST_AMQP_EXCHANGE: topology.exchange,
      TEST_AMQP_QUEUE_PREFIX: topology.queuePrefix,
      APPOINTMENTS_URL: system.urls.appointments,
      AUTH_JWKS_URL: system.urls.jwks,
      LOG_LEVEL: "info",
    });
  };

  const outboxEvent = async (type: string, sessionId: string) => {
    const rows = await database.query<OutboxRow>(
      `SELECT event_id::text, type, sent_at, payload FROM outbox WHERE type = '${type}'`,
    );
    const row = rows.find((r) => {
      const payload = typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload;
      return payload.data.session_id === sessionId;
    });
    if (!row) throw new Error(`no ${type} event in the outbox for ${sessionId}`);
    return row;
  };
  const completedEvent = (sessionId: string) => outboxEvent(EventTypes.consultationCompleted, sessionId);

  const inboxRows = async (eventId: string) => {
    // The appointments service's own record of applying the event (PostgreSQL only: an
    // in-memory PGlite cannot be opened from outside; the log count below holds on both).
    const schema = system.databases.appointments.options.schema;
    if (!schema) return undefined;
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const result = await client.query(`SELECT count(*)::int AS n FROM ${schema}.inbox WHERE event_id = $1`, [
        eventId,
      ]);
      return result.rows[0].n as number;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    system = await startSystem({ bus: await topology.connect(), video: false });
    const broker = new URL(amqpUrl as string);
    proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
  });

  afterAll(async () => {
    await child?.kill("SIGKILL");
    await proxy?.close();
    await system?.close();
    await topology.cleanup();
    await database.drop();
  });

  /**
   * Books, starts (and waits for IN_PROGRESS: the broker link works), returns the ids. Also waits
   * for the start event's confirm (its outbox row sent): a durable publish is confirmed after the
   * broker persists it, which can come after the consumer has already applied it, and the relay
   * keeps a session's events in order, so a link cut before that confirm would hold the end's
   * event behind the start's lease instead of testing the end's own lost confirm.
   */
  const startedConsultation = async (videoUrl: string) => {
    const appointment = await bookNow(system);
    const started = await startSession(videoUrl, await system.token("doctor"), appointment.id);
    expect(started.status, started.text).toBe(200);
    await eventually(
      "IN_PROGRESS through the bus",
      async () => (await appointmentStatus(system, appointment.id)).status === "IN_PROGRESS",
    );
    await eventually(
      "the start event confirmed",
      async () => (await outboxEvent(EventTypes.consultationStarted, started.body.session_id)).sent_at,
    );
    return { appointmentId: appointment.id, sessionId: started.body.session_id };
  };

  it("the publish never reached the broker: after restart the event goes out and the appointment is COMPLETED once", async () => {
    child = await startChild();
    const { appointmentId, sessionId } = await startedConsultation(child.url);

    proxy.hold("up"); // the relay's publish leaves the process but never arrives
    const ended = await endSession(child.url, await system.token("doctor"), sessionId);
    expect(ended.status, ended.text).toBe(200);
    await child.kill("SIGKILL");
    proxy.release();

    // At the moment of the crash the event existed only in the video service's outbox.
    const pending = await completedEvent(sessionId);
    expect(pending.sent_at).toBeNull();
    expect((await appointmentStatus(system, appointmentId)).status).toBe("IN_PROGRESS");

    child = await startChild();
    // At once, or after the dead relay's claim on the row ran out (a 30 s lease) if it had
    // claimed the row before the kill.
    const completed = await eventually(
      "COMPLETED after the restart",
      async () => {
        const a = await appointmentStatus(system, appointmentId);
        return a.status === "COMPLETED" ? a : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(completed.session_id).toBe(sessionId);
    expect(await eventually("the outbox row sent", async () => (await completedEvent(sessionId)).sent_at)).toBeTruthy();
    expect(eventProcessing(system.logs.lines, pending.event_id).applied).toBe(1);
    const inbox = await inboxRows(pending.event_id);
    if (inbox !== undefined) expect(inbox).toBe(1);
    await child.kill("SIGKILL");
  });

  it("the broker took the event but the confirm was lost: it is sent again and applied once", async () => {
    child = await startChild();
    const { appointmentId, sessionId } = await startedConsultation(child.url);

    proxy.hold("down"); // the broker routes the publish; its confirm never reaches the relay
    const ended = await endSession(child.url, await system.token("doctor"), sessionId);
    expect(ended.status, ended.text).toBe(200);
    const first = await eventually("COMPLETED from the unconfirmed publish", async () => {
      const a = await appointmentStatus(system, appointmentId);
      return a.status === "COMPLETED" ? a : undefined;
    });
    await child.kill("SIGKILL");
    proxy.release();

    const unconfirmed = await completedEvent(sessionId);
    expect(unconfirmed.sent_at, "no confirm, so the row is still pending").toBeNull();

    child = await startChild();
    // The restarted relay sends the same event (same id) again, once the dead relay's claim on
    // the row has run out (a 30 s lease); the inbox drops it.
    await eventually(
      "the redelivered duplicate to be processed",
      async () => eventProcessing(system.logs.lines, unconfirmed.event_id).duplicates >= 1,
      { timeoutMs: 60_000 },
    );
    expect(eventProcessing(system.logs.lines, unconfirmed.event_id)).toEqual({ applied: 1, duplicates: 1 });
    const after = await appointmentStatus(system, appointmentId);
    expect(after).toEqual(first); // not touched again: same status, duration, updated_at
    const inbox = await inboxRows(unconfirmed.event_id);
    if (inbox !== undefined) expect(inbox).toBe(1);
    await child.kill("SIGKILL");
  });
});
