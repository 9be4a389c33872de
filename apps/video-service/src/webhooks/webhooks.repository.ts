import { type CarriedRead, compiledOnce, type Param } from "@clinic/platform";
import { type Selectable, sql } from "kysely";
import type { Executor, VideoDb, VideoTrx, WebhookDeliveriesTable, WebhookEndpointsTable } from "../tables.ts";

/** Webhook endpoints, deliveries (the webhook outbox) and announced usage thresholds: queries only. */
export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

export async function insertEndpoint(db: Executor, row: Omit<EndpointRow, "events"> & { events: string[] }) {
  await db
    .insertInto("webhook_endpoints")
    .values({ ...row, events: JSON.stringify(row.events) })
    .execute();
}

export function findEndpoint(db: Executor, webhookId: string): Promise<EndpointRow | undefined> {
  return db.selectFrom("webhook_endpoints").selectAll().where("webhook_id", "=", webhookId).executeTakeFirst();
}

export function listEndpoints(db: Executor, clinicId: string): Promise<EndpointRow[]> {
  return db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("clinic_id", "=", clinicId)
    .orderBy("created_at")
    .orderBy("webhook_id")
    .execute();
}

/** Its deliveries go with it (ON DELETE CASCADE): nothing pending is sent afterwards. */
export async function deleteEndpoint(db: Executor, webhookId: string): Promise<void> {
  await db.deleteFrom("webhook_endpoints").where("webhook_id", "=", webhookId).execute();
}

/** Delivery counts by endpoint and status. */
export async function deliveryCounts(db: Executor, webhookIds: string[]) {
  if (webhookIds.length === 0) return [];
  return db
    .selectFrom("webhook_deliveries")
    .select(["webhook_id", "status", sql<number>`count(*)::int`.as("n")])
    .where("webhook_id", "in", webhookIds)
    .groupBy(["webhook_id", "status"])
    .execute();
}

export async function listDeliveries(db: Executor, webhookId: string, page: { limit: number; offset: number }) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("webhook_id", "=", webhookId)
      .orderBy("id", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom("webhook_deliveries")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("webhook_id", "=", webhookId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as DeliveryRow[], total: Number(total.n) };
}

/**
 * The clinic's endpoints subscribed to `eventType`, KEY SHARE-locked: an endpoint being
 * deleted right now is waited for (and then skipped) instead of failing this transaction's
 * delivery insert on the foreign key.
 */
export async function subscribedEndpoints(trx: VideoTrx, clinicId: string, eventType: string) {
  // Read in every start's transaction: compiled once, a prepared statement on PostgreSQL.
  const events = JSON.stringify([eventType]);
  return (await trx.executeQuery(subscribedEndpointsStatement(trx, { clinicId, events }))).rows;
}

const subscribedEndpointsStatement = compiledOnce((trx: VideoTrx, p: Param<{ clinicId: string; events: string }>) =>
  trx
    .selectFrom("webhook_endpoints")
    .select("webhook_id")
    .where("clinic_id", "=", p("clinicId"))
    .where(sql<boolean>`events @> ${p("events")}::jsonb`)
    .forKeyShare(),
);

/**
 * As `subscribedEndpoints`, for several event types in one read: per type, the clinic's
 * endpoints subscribed to it.
 */
export async function subscribedEndpointsByType<T extends string>(
  trx: VideoTrx,
  clinicId: string,
  eventTypes: T[],
): Promise<Record<T, { webhook_id: string }[]>> {
  // One text per number of types (each caller passes a fixed list): compiled once per number,
  // a prepared statement on PostgreSQL.
  let statement = endpointsByTypeStatements.get(eventTypes.length);
  if (!statement) {
    statement = endpointsByTypeStatement(eventTypes.length);
    endpointsByTypeStatements.set(eventTypes.length, statement);
  }
  const params: Record<string, string> = { clinicId };
  eventTypes.forEach((type, i) => {
    params[`type${i}`] = JSON.stringify([type]);
  });
  const { rows } = await trx.executeQuery(statement(trx, params));
  return byType(rows as SubscribedEndpoint[], eventTypes);
}

/** An endpoint subscribed to at least one of the types asked, with all the types it is subscribed to. */
export interface SubscribedEndpoint {
  webhook_id: string;
  events: string[];
}

/**
 * `subscribedEndpointsByType`'s read as a `CarriedRead`: it rides on the outbox enqueue of the
 * same transaction (`OutboxRelay.enqueue`), its rows KEY SHARE-locked as there. That statement
 * starts after the session's row lock was taken, as the separate read did, so it sees the same
 * endpoints: those committed before it, a deleted one waited for and skipped, a changed one in
 * its latest version. Its rows go to `byType`.
 */
export function subscribedEndpointsCarried(clinicId: string, eventTypes: string[]): CarriedRead<SubscribedEndpoint[]> {
  return {
    // Each caller passes a fixed list: one text per number of types.
    name: `webhook_endpoints_subscribed_${eventTypes.length}`,
    build: (value) =>
      sql<SubscribedEndpoint[]>`
        SELECT coalesce(json_agg(json_build_object('webhook_id', w.webhook_id, 'events', w.events)), '[]'::json)
        FROM (SELECT webhook_id, events FROM webhook_endpoints WHERE clinic_id = ${value(0)}::text
              AND (${sql.join(
                eventTypes.map((_, i) => sql`events @> ${value(i + 1)}::jsonb`),
                sql` OR `,
              )}) FOR KEY SHARE) w`,
    values: [clinicId, ...eventTypes.map((type) => JSON.stringify([type]))],
  };
}

/** Per type, the endpoints (of `subscribedEndpointsCarried`'s rows) subscribed to it. */
export function byType<T extends string>(rows: SubscribedEndpoint[], eventTypes: T[]) {
  const split = {} as Record<T, { webhook_id: string }[]>;
  for (const type of eventTypes) {
    split[type] = rows.filter((r) => r.events.includes(type)).map((r) => ({ webhook_id: r.webhook_id }));
  }
  return split;
}

export async function insertDeliveries(trx: VideoTrx, rows: Omit<DeliveryRow, "id" | "attempts">[]) {
  if (rows.length > 0) await trx.insertInto("webhook_deliveries").values(rows).execute();
}

/**
 * Claims up to `limit` due deliveries for one pass: an attempt lease (claim id + locked
 * until) taken in one statement over rows locked with SKIP LOCKED, so replicas never claim
 * the same row, and the HTTP call happens outside any transaction. A lease that runs out
 * (its process died mid-attempt) makes the row due again.
 */
export async function claimDue(db: VideoDb, at: Date, lease: { claimId: string; until: Date; limit: number }) {
  const claimed = await db
    .updateTable("webhook_deliveries")
    .set({ claim_id: lease.claimId, locked_until: lease.until })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("webhook_deliveries")
        .select("id")
        .where("status", "=", "PENDING")
        .where("next_attempt_at", "<=", at)
        .where((w) => w.or([w("locked_until", "is", null), w("locked_until", "<=", at)]))
        .orderBy("next_attempt_at")
        .limit(lease.limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(["id", "message_id", "webhook_id", "body", "attempts", "created_at"])
    .execute();
  if (claimed.length === 0) return [];
  const endpoints = await db
    .selectFrom("webhook_endpoints")
    .select(["webhook_id", "url", "secret"])
    .where(
      "webhook_id",
      "in",
      claimed.map((c) => c.webhook_id),
    )
    .execute();
  const byId = new Map(endpoints.map((e) => [e.webhook_id, e]));
  return claimed.flatMap((c) => {
    const endpoint = byId.get(c.webhook_id);
    return endpoint ? [{ ...c, attempts: Number(c.attempts), url: endpoint.url, secret: endpoint.secret }] : [];
  });
}

/** Records an attempt's outcome, only if this pass still holds the lease. */
export async function finishAttempt(
  db: VideoDb,
  id: number,
  claimId: string,
  changes: Partial<Omit<DeliveryRow, "id" | "attempts">> & { attempts: number },
) {
  await db
    .updateTable("webhook_deliveries")
    .set({ ...changes, claim_id: null, locked_until: null })
    .where("id", "=", id)
    .where("claim_id", "=", claimId)
    .execute();
}

/** Gives a claimed row back untouched (the app is closing mid-attempt). */
export async function releaseClaim(db: VideoDb, id: number, claimId: string) {
  await db
    .updateTable("webhook_deliveries")
    .set({ claim_id: null, locked_until: null })
    .where("id", "=", id)
    .where("claim_id", "=", claimId)
    .execute();
}

export async function recordEndpointFailure(
  db: VideoDb,
  webhookId: string,
  failure: { at: Date; statusCode: number | null; error: string },
) {
  await db
    .updateTable("webhook_endpoints")
    .set({
      last_failure_at: failure.at,
      last_failure_status_code: failure.statusCode,
      last_failure_error: failure.error,
    })
    .where("webhook_id", "=", webhookId)
    .execute();
}

/** Thresholds already announced for the clinic this month. */
export async function crossedThresholds(trx: VideoTrx, clinicId: string, month: string): Promise<number[]> {
  const rows = await trx
    .selectFrom("usage_thresholds_crossed")
    .select("threshold_percent")
    .where("clinic_id", "=", clinicId)
    .where("month", "=", month)
    .execute();
  return rows.map((r) => r.threshold_percent);
}

/** Remembers thresholds; returns those this transaction was first to record (a racing one gets none). */
export async function recordThresholds(
  trx: VideoTrx,
  clinicId: string,
  month: string,
  percents: number[],
  at: Date,
): Promise<number[]> {
  if (percents.length === 0) return [];
  const rows = await trx
    .insertInto("usage_thresholds_crossed")
    .values(percents.map((threshold_percent) => ({ clinic_id: clinicId, month, threshold_percent, crossed_at: at })))
    .onConflict((oc) => oc.columns(["clinic_id", "month", "threshold_percent"]).doNothing())
    .returning("threshold_percent")
    .execute();
  return rows.map((r) => r.threshold_percent);
}

const endpointsByTypeStatement = (types: number) =>
  compiledOnce((trx: VideoTrx, p: Param<Record<string, string>>) =>
    trx
      .selectFrom("webhook_endpoints")
      .select(["webhook_id", "events"])
      .where("clinic_id", "=", p("clinicId"))
      .where((eb) => eb.or(Array.from({ length: types }, (_, i) => sql<boolean>`events @> ${p(`type${i}`)}::jsonb`)))
      .forKeyShare(),
  );
const endpointsByTypeStatements = new Map<number, ReturnType<typeof endpointsByTypeStatement>>();
