// Route schemas in every service use @fastify/swagger's keywords (operationId, hide): keep its
// augmentation of FastifySchema in this package's compiled declarations, which the services'
// production build (tsc -b) type-checks against.
/// <reference types="@fastify/swagger" preserve="true" />
import { readFile } from "node:fs/promises";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { notFound } from "./errors.ts";

/** One entry of an OpenAPI document's `servers`: a base URL its paths are appended to. */
export interface ApiServer {
  url: string;
  description: string;
  /** `{name}` placeholders in `url`, each with its default. */
  variables?: Record<string, { default: string; description: string }>;
}

export interface OpenApiOptions {
  title: string;
  version?: string;
  description?: string;
  /** Tags shown in Swagger UI, in order. */
  tags?: { name: string; description: string }[];
  /** How the API is reached, the usual way first (see `serviceServers`). */
  servers?: ApiServer[];
}

/** Where the repository's LICENSE is served; the documents' `info.license.url` points here. */
export const licensePath = "/docs/license";
/** The product is proprietary (the root LICENSE); every document says so. */
export const apiLicense = { name: "Proprietary, all rights reserved", url: licensePath } as const;
/** Whom integrators ask: the team, not a person. */
export const apiContact = { name: "Clinic video consultations team" } as const;
/** The gateway's origin as `npm start` runs it (apps/gateway: PORT 8000). */
export const localGatewayOrigin = "http://localhost:8000";

/*
 * Hosts are server variables whose defaults are the local stack's (`npm start`): the documents
 * then name no fixed localhost (Redocly's no-server-example.com), and an integrator or a
 * generated client sets the deployment's host instead of editing URLs.
 */

/** The service (or the gateway) on its own port: `http://{host}:{port}`, port from its PORT. */
export function directServers(name: string, port: number): ApiServer[] {
  if (port <= 0) return []; // 0: a port chosen when listening, unknown here
  return [
    {
      url: "http://{host}:{port}",
      description: `The ${name} directly, on its own port`,
      variables: {
        host: { default: "localhost", description: `Where the ${name} runs` },
        port: { default: String(port), description: "Its PORT setting" },
      },
    },
  ];
}

export interface ServiceServersOptions {
  /** The service's name in the descriptions, e.g. "auth service". */
  name: string;
  /** Its PORT. */
  port: number;
  /** Its prefix on the gateway (apps/gateway/src/routes.ts), stripped before forwarding. */
  gatewayPrefix: `/${string}`;
  /** A configured browser-facing base URL, gateway prefix included, that replaces the gateway entry. */
  publicUrl?: string | undefined;
}

/**
 * A service's `servers`: through the gateway first (how browsers and integrators reach it;
 * the configured public URL when there is one), then directly on its own port.
 */
export function serviceServers(options: ServiceServersOptions): ApiServer[] {
  const { name, port, gatewayPrefix, publicUrl } = options;
  const throughGateway: ApiServer = publicUrl
    ? { url: publicUrl.replace(/\/+$/, ""), description: `The ${name} through the gateway, at its public URL` }
    : {
        url: `{gateway}${gatewayPrefix}`,
        description: `The ${name} through the gateway, which strips the ${gatewayPrefix} prefix`,
        variables: {
          gateway: {
            default: localGatewayOrigin,
            description: "The gateway's origin (scheme, host and port): the Node gateway or Kong",
          },
        },
      };
  return [throughGateway, ...directServers(name, port)];
}

const licenseFile = new URL("../../../LICENSE", import.meta.url);
let licenseText: Promise<string | null> | undefined;

/**
 * OpenAPI 3.0 at /docs (Swagger UI) and /docs/json, with the product's license and contact,
 * and the LICENSE text at /docs/license. Paths are kept as routed (`stripBasePath: false`):
 * a server's path (the gateway prefix) is never cut out of them.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    stripBasePath: false,
    openapi: {
      openapi: "3.0.3",
      info: {
        title: options.title,
        version: options.version ?? "1.0.0",
        description: options.description ?? "",
        license: apiLicense,
        contact: apiContact,
      },
      servers: options.servers ?? [],
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
      security: [{ bearerAuth: [] }],
      tags: options.tags ?? [],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get(licensePath, { schema: { hide: true } }, async (_request, reply) => {
    licenseText ??= readFile(licenseFile, "utf8").catch(() => null);
    const text = await licenseText;
    if (text === null) throw notFound("The license text is not installed with this service", "LICENSE_NOT_FOUND");
    return reply.type("text/plain; charset=utf-8").send(text);
  });
}
