import { readdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { loadAppointmentsConfig } from "@clinic/appointments-service";
import { loadAuthConfig } from "@clinic/auth-service";
import { loadGatewayConfig, upstreamRoutes } from "@clinic/gateway";
import { apiContact, apiLicense, localGatewayOrigin } from "@clinic/platform";
import { loadVideoConfig } from "@clinic/video-service";
import { beforeAll, describe, expect, it } from "vitest";
import { clientApis, generatedFile, renderClientTypes } from "../apps/web/scripts/api-types.ts";
import { type ApiName, buildOpenApiDocuments, type OpenApiDocument } from "./openapi-documents.ts";

const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * The operation ids are part of the API (generated clients name their methods after them):
 * renaming one is a breaking change, so the whole list is pinned here.
 */
const expectedOperationIds: Record<ApiName, string[]> = {
  auth: [
    "getAuthHealth",
    "getAuthLiveness",
    "getAuthReadiness",
    "login",
    "refreshToken",
    "logout",
    "exchangeInviteToken",
    "getClientConfig",
    "getCurrentUser",
    "getJwks",
    "createUser",
    "listUsers",
    "getUser",
    "updateUser",
    "createPasswordLink",
    "setPassword",
    "listDirectory",
    "getDirectoryPerson",
  ],
  appointments: [
    "getAppointmentsHealth",
    "getAppointmentsLiveness",
    "getAppointmentsReadiness",
    "listAppointments",
    "bookAppointment",
    "getAppointment",
    "cancelAppointment",
    "rescheduleAppointment",
    "createInvite",
    "revokeInvites",
    "resolveInvite",
  ],
  video: [
    "listSessions",
    "startSession",
    "joinSession",
    "getSession",
    "endSession",
    "updateSessionNotes",
    "getNotesDraft",
    "saveNotesDraft",
    "admitAttendee",
    "updateWaitingRoom",
    "getMediaCredentials",
    "muteAttendee",
    "removeAttendee",
    "reportCallQuality",
    "getUsage",
    "getConsentText",
    "updateConsentText",
    "recordConsent",
    "getConnectivity",
    "getSessionEncounter",
    "getSessionNotesDocument",
    "createWebhook",
    "listWebhooks",
    "listWebhookDeliveries",
    "deleteWebhook",
    "getVideoHealth",
    "getVideoLiveness",
    "getVideoReadiness",
  ],
  gateway: ["getGatewayHealth", "getGatewayLiveness", "getGatewayReadiness"],
};

const ports: Record<ApiName, number> = {
  auth: loadAuthConfig({}).PORT,
  appointments: loadAppointmentsConfig({}).PORT,
  video: loadVideoConfig({}).PORT,
  gateway: loadGatewayConfig({}).PORT,
};

interface Operation {
  api: ApiName;
  method: string;
  path: string;
  operationId: string | undefined;
}

function operationsOf(api: ApiName, document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => httpMethods.includes(method))
      .map(([method, operation]) => ({ api, method, path, operationId: operation.operationId })),
  );
}

/** A server's URL with its variables at their defaults. */
const resolved = (server: NonNullable<OpenApiDocument["servers"]>[number]) =>
  server.url.replace(/\{(\w+)\}/g, (_, name: string) => server.variables?.[name]?.default ?? `{${name}}`);

describe("OpenAPI documents (what each service serves at /docs/json)", () => {
  let documents: { name: ApiName; dir: string; document: OpenApiDocument }[];
  beforeAll(async () => {
    documents = (await buildOpenApiDocuments()).map(({ service, document }) => ({
      name: service.name,
      dir: service.dir,
      document,
    }));
  });
  const operations = () => documents.flatMap(({ name, document }) => operationsOf(name, document));

  it("name every operation with a camelCase operationId, unique across all the documents", () => {
    const bad = operations().filter((o) => !/^[a-z][A-Za-z]+$/.test(o.operationId ?? ""));
    expect(bad.map((o) => `${o.api}: ${o.method.toUpperCase()} ${o.path} → ${o.operationId}`)).toEqual([]);
    const ids = operations().map((o) => o.operationId);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it("keep the operation ids stable", () => {
    const byApi = Object.fromEntries(
      documents.map(({ name, document }) => [
        name,
        operationsOf(name, document)
          .map((o) => o.operationId)
          .sort(),
      ]),
    );
    const expected = Object.fromEntries(
      Object.entries(expectedOperationIds).map(([api, ids]) => [api, [...ids].sort()]),
    );
    expect(byApi).toEqual(expected);
  });

  it("have no path ending in a slash", () => {
    const paths = documents.flatMap(({ name, document }) => Object.keys(document.paths).map((p) => `${name}: ${p}`));
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => p.endsWith("/"))).toEqual([]);
  });

  it("carry the product's license and contact", () => {
    for (const { document } of documents) {
      expect(document.info.license).toEqual(apiLicense);
      expect(document.info.contact).toEqual(apiContact);
    }
  });

  it("list the services' servers: through the gateway under its prefix, then directly on their PORT", () => {
    expect(new URL(localGatewayOrigin).port).toBe(String(ports.gateway));
    for (const { name, document } of documents) {
      const urls = (document.servers ?? []).map(resolved);
      const direct = `http://localhost:${ports[name]}`;
      if (name === "gateway") {
        expect(urls).toEqual([direct]);
        continue;
      }
      const route = upstreamRoutes.find((r) => r.name === name);
      expect(urls).toEqual([`${localGatewayOrigin}${route?.prefix}`, direct]);
    }
  });

  it("are what the web app's committed typed client was generated from (else: npm run gen:api -w @clinic/web)", async () => {
    // Every committed client is checked: none is left over from an API the web app no longer calls.
    const committedFiles = (await readdir(dirname(generatedFile(clientApis[0])))).filter((f) => f.endsWith(".gen.ts"));
    expect(committedFiles.sort()).toEqual(clientApis.map((api) => `${api}.gen.ts`).sort());
    for (const api of clientApis) {
      const source = documents.find((d) => d.name === api);
      if (!source) throw new Error(`no document for ${api}`);
      const committed = await readFile(generatedFile(api), "utf8");
      expect(committed, `apps/web/src/lib/api/${api}.gen.ts is stale`).toBe(
        await renderClientTypes(source.dir, source.document),
      );
    }
  });
});
