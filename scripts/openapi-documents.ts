// The OpenAPI documents every service serves at /docs/json, built in process: each app from its
// own `buildApp` with its default configuration (not this shell's environment), an in-memory
// PGlite, an in-process bus and a verifier that refuses every token (no route is called).
// Used by the web app's type generator (apps/web/scripts/gen-api.mjs), the OpenAPI lint
// (scripts/lint-openapi.ts) and the documents' tests (scripts/openapi-documents.test.ts).
import { buildApp as buildAppointments, loadAppointmentsConfig } from "@clinic/appointments-service";
import { buildApp as buildAuth, loadAuthConfig } from "@clinic/auth-service";
import { buildApp as buildGateway, loadGatewayConfig } from "@clinic/gateway";
import type { App, TokenVerifier } from "@clinic/platform";
import { buildApp as buildVideo, loadVideoConfig } from "@clinic/video-service";

/** Short names, as in the gateway's route table and the web app's `src/lib/api/<name>.gen.ts`. */
export type ApiName = "auth" | "appointments" | "video" | "gateway";

export interface ApiService {
  name: ApiName;
  /** Its folder under apps/. */
  dir: string;
  build(): Promise<App>;
}

/** A document as `app.swagger()` returns it (only what the scripts and tests read is typed). */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; license?: { name: string; url?: string }; contact?: { name?: string } };
  servers?: { url: string; description?: string; variables?: Record<string, { default: string }> }[];
  paths: Record<string, Record<string, { operationId?: string } & Record<string, unknown>>>;
  [key: string]: unknown;
}

const verify: TokenVerifier = async () => {
  throw new Error("OpenAPI documents: no token is verified while they are built");
};
/** Defaults only, so the documents do not depend on who runs the script (PORT, PUBLIC_URL, DATABASE_URL…). */
const env = { LOG_LEVEL: "silent", SEED_DEMO: "0" };
const inMemory = (service: string) => ({ service, dataDir: ":memory:" });

const apiServices: readonly ApiService[] = [
  {
    name: "auth",
    dir: "auth-service",
    build: () => buildAuth({ config: loadAuthConfig(env), database: inMemory("auth"), verify }),
  },
  {
    name: "appointments",
    dir: "appointments-service",
    build: () => buildAppointments({ config: loadAppointmentsConfig(env), database: inMemory("appointments"), verify }),
  },
  {
    name: "video",
    dir: "video-service",
    build: () => buildVideo({ config: loadVideoConfig(env), database: inMemory("video"), verify }),
  },
  { name: "gateway", dir: "gateway", build: () => buildGateway({ config: loadGatewayConfig(env) }) },
];

/** One service's document, as a plain JSON value (what /docs/json serves). */
async function buildOpenApiDocument(service: ApiService): Promise<OpenApiDocument> {
  const app = await service.build();
  try {
    await app.ready();
    return JSON.parse(JSON.stringify(app.swagger())) as OpenApiDocument;
  } finally {
    await app.close();
  }
}

/** The documents of the named services (all by default), in `apiServices` order. One at a time: PGlite is CPU-bound. */
export async function buildOpenApiDocuments(
  names: readonly ApiName[] = apiServices.map((s) => s.name),
): Promise<{ service: ApiService; document: OpenApiDocument }[]> {
  const documents: { service: ApiService; document: OpenApiDocument }[] = [];
  for (const service of apiServices) {
    if (names.includes(service.name)) documents.push({ service, document: await buildOpenApiDocument(service) });
  }
  return documents;
}
