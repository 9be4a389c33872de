import type { AuthUser } from "@clinic/platform";
import { captureLogs } from "@clinic/platform/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

const validEvents = ["session.ended", "usage.threshold_crossed"];

describe("webhook endpoints: registration, listing, removal (clinic admins only)", () => {
  let h: Harness;
  const logs = captureLogs();
  beforeAll(async () => {
    // No WEBHOOK_ALLOW_PRIVATE: the default refuses private and loopback addresses.
    h = await createHarness({
      env: { LOG_LEVEL: "info" },
      logStream: logs.stream,
      // Public documentation-free address for a name, without touching the network.
      webhookLookup: async (host) =>
        host === "hooks.clinic-ehr.test"
          ? [{ address: "93.184.215.14", family: 4 }]
          : [{ address: "10.0.0.7", family: 4 }],
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const create = async (user: AuthUser, payload: unknown) =>
    h.app.inject({
      method: "POST",
      url: "/api/video/webhooks",
      headers: await h.auth(user),
      payload: payload as object,
    });
  const list = async (user: AuthUser) => h.app.inject({ url: "/api/video/webhooks", headers: await h.auth(user) });
  const remove = async (user: AuthUser, id: string) =>
    h.app.inject({ method: "DELETE", url: `/api/video/webhooks/${id}`, headers: await h.auth(user) });
  const deliveries = async (user: AuthUser, id: string, query = "") =>
    h.app.inject({ url: `/api/video/webhooks/${id}/deliveries${query}`, headers: await h.auth(user) });
  const auditOf = async (action: string) =>
    h.app.video.database.db
      .selectFrom("audit_log")
      .select(["actor_id", "outcome"])
      .where("action", "=", action)
      .orderBy("id")
      .execute();

  it("an admin registers an endpoint: 201 with a whsec_ secret of 32 random bytes, shown once", async () => {
    const url = "https://hooks.clinic-ehr.test/video?tenant=7#frag";
    const response = await create(users.admin, { url, events: validEvents });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^whk-[0-9a-f-]{36}$/),
      url: "https://hooks.clinic-ehr.test/video?tenant=7",
      events: validEvents,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      created_at: h.clock.now.toISOString(),
    });
    expect(Buffer.from(body.secret.slice(6), "base64")).toHaveLength(32);
    const again = await create(users.admin, { url, events: validEvents });
    expect(again.json().secret).not.toBe(body.secret);

    // Never again: not in the list, not in the deliveries, not in any log line.
    const listed = await list(users.admin);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(body.secret);
    expect(listed.body).not.toContain(body.secret.slice(6));
    const mine = listed.json().webhooks.find((w: { id: string }) => w.id === body.id);
    expect(mine).toEqual({
      id: body.id,
      url: body.url,
      events: validEvents,
      created_at: body.created_at,
      deliveries: {
        pending: 0,
        delivered: 0,
        failed: 0,
        last_failure_at: null,
        last_failure_status_code: null,
        last_failure_error: null,
      },
    });
    expect(logs.text()).not.toContain(body.secret.slice(6));
    expect(await auditOf("webhook.create")).toContainEqual({ actor_id: users.admin.id, outcome: "ALLOWED" });
  });

  it.each([
    ["doctor", users.doctor],
    ["patient", users.patient],
  ])("a %s may not register, list or remove endpoints (403, audited)", async (_, user) => {
    const created = (await create(users.admin, { url: "https://hooks.clinic-ehr.test/a", events: validEvents })).json();
    const refused = await create(user, { url: "https://hooks.clinic-ehr.test/b", events: validEvents });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect((await list(user)).statusCode).toBe(403);
    expect((await remove(user, created.id)).statusCode).toBe(403);
    expect((await deliveries(user, created.id)).statusCode).toBe(403);
    for (const action of ["webhook.create", "webhook.list", "webhook.delete", "webhook.listDeliveries"]) {
      expect(await auditOf(action)).toContainEqual({ actor_id: user.id, outcome: "DENIED" });
    }
    // Still there.
    expect((await list(users.admin)).json().webhooks.map((w: { id: string }) => w.id)).toContain(created.id);
  });

  it("another clinic's admin neither sees nor removes them (404, audited), and sees only its own", async () => {
    const ours = (await create(users.admin, { url: "https://hooks.clinic-ehr.test/ours", events: validEvents })).json();
    const theirs = await create(users.foreignAdmin, {
      url: "https://hooks.clinic-ehr.test/theirs",
      events: ["session.started"],
    });
    expect(theirs.statusCode).toBe(201);
    const foreignList = (await list(users.foreignAdmin)).json().webhooks;
    expect(foreignList.map((w: { id: string }) => w.id)).toEqual([theirs.json().id]);
    expect((await list(users.admin)).json().webhooks.map((w: { id: string }) => w.id)).not.toContain(theirs.json().id);

    const del = await remove(users.foreignAdmin, ours.id);
    expect(del.statusCode).toBe(404);
    expect(del.json()).toMatchObject({ status: 404, code: "WEBHOOK_NOT_FOUND" });
    expect((await deliveries(users.foreignAdmin, ours.id)).json()).toMatchObject({ code: "WEBHOOK_NOT_FOUND" });
    expect(await auditOf("webhook.delete")).toContainEqual({ actor_id: users.foreignAdmin.id, outcome: "DENIED" });
    expect((await list(users.admin)).json().webhooks.map((w: { id: string }) => w.id)).toContain(ours.id);
  });

  it("removal: 204, then gone (404 again, not listed); a malformed id is a 400", async () => {
    const created = (
      await create(users.admin, { url: "https://hooks.clinic-ehr.test/gone", events: validEvents })
    ).json();
    const first = await remove(users.admin, created.id);
    expect(first.statusCode).toBe(204);
    expect(first.body).toBe("");
    expect((await remove(users.admin, created.id)).json()).toMatchObject({ status: 404, code: "WEBHOOK_NOT_FOUND" });
    expect((await list(users.admin)).json().webhooks.map((w: { id: string }) => w.id)).not.toContain(created.id);
    const malformed = await remove(users.admin, "whk-nope");
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe("VALIDATION_FAILED");
  });

  it("deliveries of a fresh endpoint: an empty page; paging is validated", async () => {
    const created = (await create(users.admin, { url: "https://hooks.clinic-ehr.test/p", events: validEvents })).json();
    const page = await deliveries(users.admin, created.id, "?limit=5&offset=0");
    expect(page.statusCode).toBe(200);
    expect(page.json()).toEqual({ total: 0, limit: 5, offset: 0, deliveries: [] });
    for (const query of ["?limit=0", "?limit=101", "?offset=-1", "?limit=abc", "?page=2"]) {
      const bad = await deliveries(users.admin, created.id, query);
      expect(bad.statusCode, query).toBe(400);
      expect(bad.json().code).toBe("VALIDATION_FAILED");
    }
  });

  it.each([
    ["not a URL", "not a url", "WEBHOOK_URL_INVALID"],
    ["another scheme", "ftp://hooks.clinic-ehr.test/x", "WEBHOOK_URL_INVALID"],
    ["credentials in the URL", "https://user:pass@hooks.clinic-ehr.test/x", "WEBHOOK_URL_CREDENTIALS"],
    ["a user name alone", "https://user@hooks.clinic-ehr.test/x", "WEBHOOK_URL_CREDENTIALS"],
    ["loopback IPv4", "http://127.0.0.1:8086/x", "WEBHOOK_URL_PRIVATE"],
    ["loopback in another spelling", "http://2130706433/x", "WEBHOOK_URL_PRIVATE"],
    ["loopback IPv6", "http://[::1]/x", "WEBHOOK_URL_PRIVATE"],
    ["IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/x", "WEBHOOK_URL_PRIVATE"],
    ["private 10/8", "https://10.1.2.3/x", "WEBHOOK_URL_PRIVATE"],
    ["private 192.168/16", "https://192.168.1.20/x", "WEBHOOK_URL_PRIVATE"],
    ["link-local (cloud metadata)", "http://169.254.169.254/latest/meta-data", "WEBHOOK_URL_PRIVATE"],
    ["unique-local IPv6", "https://[fd00::1]/x", "WEBHOOK_URL_PRIVATE"],
    ["unspecified", "http://0.0.0.0/x", "WEBHOOK_URL_PRIVATE"],
    ["a name resolving to a private address", "https://intranet.clinic-ehr.test/x", "WEBHOOK_URL_PRIVATE"],
  ])("refuses %s with 400 %s", async (_, url, code) => {
    const response = await create(users.admin, { url, events: validEvents });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code, error: expect.any(String) });
    expect(response.body).not.toContain("10.0.0.7"); // the resolved address is not echoed
  });

  it("any URL an admin sends gets a 201 or a clear 400, never a 5xx", async () => {
    const url = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({ maxLength: 300 }),
      fc.constantFrom(
        "http://[::1",
        "http://a b/",
        "http://%zz/",
        "https://[fe80::1%25eth0]/",
        "http://0x7f.1/",
        "//x",
      ),
      fc.domain().map((d) => `https://${d}:${"9".repeat(6)}/`),
    );
    await fc.assert(
      fc.asyncProperty(url, async (candidate) => {
        const response = await create(users.admin, { url: candidate, events: ["session.ended"] });
        expect([201, 400]).toContain(response.statusCode);
        if (response.statusCode === 400)
          expect(response.json()).toMatchObject({ status: 400, code: expect.any(String) });
      }),
      { numRuns: 150 },
    );
  });

  it("refuses localhost by name (the system resolver says loopback)", async () => {
    const plain = await createHarness({});
    try {
      const response = await plain.app.inject({
        method: "POST",
        url: "/api/video/webhooks",
        headers: await plain.auth(users.admin),
        payload: { url: "http://localhost:9/x", events: validEvents },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: "WEBHOOK_URL_PRIVATE", range: "loopback" });
    } finally {
      await plain.close();
    }
  });

  it("a name that does not resolve is a 400 WEBHOOK_URL_UNRESOLVABLE", async () => {
    const failing = await createHarness({
      webhookLookup: async () => {
        throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
      },
    });
    try {
      const response = await failing.app.inject({
        method: "POST",
        url: "/api/video/webhooks",
        headers: await failing.auth(users.admin),
        payload: { url: "https://nowhere.clinic-ehr.test/x", events: validEvents },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe("WEBHOOK_URL_UNRESOLVABLE");
    } finally {
      await failing.close();
    }
  });

  it.each([
    ["an unknown event", { url: "https://hooks.clinic-ehr.test/x", events: ["session.deleted"] }],
    ["no event", { url: "https://hooks.clinic-ehr.test/x", events: [] }],
    ["a repeated event", { url: "https://hooks.clinic-ehr.test/x", events: ["session.ended", "session.ended"] }],
    ["no URL", { events: validEvents }],
    ["an empty URL", { url: "", events: validEvents }],
    ["an overlong URL", { url: `https://hooks.clinic-ehr.test/${"a".repeat(2100)}`, events: validEvents }],
    ["an unknown field", { url: "https://hooks.clinic-ehr.test/x", events: validEvents, secret: "whsec_mine" }],
  ])("refuses %s with 400 VALIDATION_FAILED", async (_, payload) => {
    const response = await create(users.admin, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
  });

  it("in production only https is accepted (400 WEBHOOK_URL_NOT_HTTPS), even with private addresses allowed", async () => {
    const production = await createHarness({ env: { NODE_ENV: "production", WEBHOOK_ALLOW_PRIVATE: "1" } });
    try {
      const post = async (url: string) =>
        production.app.inject({
          method: "POST",
          url: "/api/video/webhooks",
          headers: await production.auth(users.admin),
          payload: { url, events: validEvents },
        });
      const http = await post("http://127.0.0.1:9/x");
      expect(http.statusCode).toBe(400);
      expect(http.json().code).toBe("WEBHOOK_URL_NOT_HTTPS");
      expect((await post("https://127.0.0.1:9/x")).statusCode).toBe(201);
    } finally {
      await production.close();
    }
  });

  it("WEBHOOK_ALLOW_PRIVATE=1 lets an endpoint on loopback be registered (a developer's receiver)", async () => {
    const dev = await createHarness({ env: { WEBHOOK_ALLOW_PRIVATE: "1" } });
    try {
      const response = await dev.app.inject({
        method: "POST",
        url: "/api/video/webhooks",
        headers: await dev.auth(users.admin),
        payload: { url: "http://127.0.0.1:9/x", events: validEvents },
      });
      expect(response.statusCode, response.body).toBe(201);
    } finally {
      await dev.close();
    }
  });
});
