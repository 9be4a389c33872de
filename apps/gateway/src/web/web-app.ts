import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { App } from "@clinic/platform";
import { Negotiator } from "@fastify/accept-negotiator";
import fastifyStatic from "@fastify/static";
import type { FastifyReply, FastifyRequest } from "fastify";
import { RouteNotFound } from "../errors.ts";

/**
 * The web app's Content-Security-Policy. Mantine injects inline styles; calls need the
 * camera/microphone streams (`mediastream:`) and recorded blobs (`blob:`); signalling is a
 * WebSocket to this origin, which `'self'` covers (CSP Level 3: Chrome 71+, Firefox, Safari
 * 16+), so no WebSocket goes to any other host. Only when the clinic runs its calls on Amazon
 * Chime (`MEDIA_PROVIDER=chime`) may the page also reach `*.chime.aws` over https and wss.
 * Scripts only from this origin, never inline.
 */
export function webAppCsp(mediaProvider: "embedded" | "chime" = "embedded"): string {
  const chime = mediaProvider === "chime" ? " https://*.chime.aws wss://*.chime.aws" : "";
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' blob: mediastream:",
    `connect-src 'self'${chime}`,
    "worker-src 'self' blob:",
  ].join("; ");
}

export const defaultWebDistDir = resolve(fileURLToPath(new URL("../../../web/dist", import.meta.url)));

export interface WebApp {
  readonly built: boolean;
  /** Answers with the SPA's index.html (or the "not built" note). */
  sendIndex(reply: FastifyReply): Promise<FastifyReply>;
}

const notBuiltHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clinic</title></head>
<body><h1>The web app is not built yet</h1><p>Run <code>npm run build -w @clinic/web</code> (or <code>npm start</code>,
which builds it), then reload. The APIs are available under /auth, /appointments and /video.</p></body></html>`;

/**
 * Source maps (and their precompressed copies) would publish the app's original source; the
 * build does not write them (apps/web/vite.config.ts) and the gateway refuses one that is
 * there anyway.
 */
const sourceMap = /\.map(\.(br|gz))?$/i;

/** The encodings the web build is precompressed in (apps/web/build/precompress.ts), best first. */
const encodings = new Negotiator({ supportedValues: ["br", "gzip"] });
const extensionOf = { br: ".br", gzip: ".gz" } as const;

/**
 * index.html in the best encoding the browser accepts that the build has (`.br`, `.gz`
 * beside it), else as it is. Read per request, like the page itself, so a rebuild is served.
 */
async function readIndex(indexPath: string, acceptEncoding: string | undefined) {
  const encoding = encodings.negotiate(acceptEncoding ?? "") as keyof typeof extensionOf | null;
  if (encoding) {
    const body = await readFile(indexPath + extensionOf[encoding]).catch(() => null);
    if (body) return { body, encoding };
  }
  return { body: await readFile(indexPath), encoding: null };
}

/**
 * Serves the built web app at `/`: files from `distDir`, and index.html for any other
 * browser navigation (client-side routes). API-looking requests that match nothing get the
 * JSON 404. Hashed assets are cached for a year; index.html is always revalidated so a new
 * build is picked up. Text files go out precompressed (brotli or gzip, as the browser
 * accepts; `Vary: accept-encoding`), as the build wrote them.
 */
export async function registerWebApp(
  app: App,
  distDir: string,
  mediaProvider: "embedded" | "chime" = "embedded",
): Promise<WebApp> {
  const csp = webAppCsp(mediaProvider);
  const indexPath = join(distDir, "index.html");
  const built = existsSync(indexPath);
  const webApp: WebApp = {
    built,
    sendIndex: async (reply) => {
      if (!built)
        return reply.type("text/html; charset=utf-8").header("content-security-policy", csp).send(notBuiltHtml);
      const { body, encoding } = await readIndex(indexPath, reply.request.headers["accept-encoding"]);
      if (encoding) reply.header("content-encoding", encoding);
      return reply
        .type("text/html; charset=utf-8")
        .header("cache-control", "no-cache")
        .header("vary", "accept-encoding")
        .header("content-security-policy", csp)
        .send(body);
    },
  };

  await app.register(async (web) => {
    web.addHook("onSend", async (_request, reply) => {
      reply.header("content-security-policy", csp);
    });
    if (built) {
      await web.register(fastifyStatic, {
        root: distDir,
        // Routes for the files present at start-up; everything else falls to the route below.
        wildcard: false,
        index: false,
        // `x.js.br` / `x.js.gz` beside `x.js`, chosen by Accept-Encoding.
        preCompressed: true,
        cacheControl: false,
        // No route for a source map; a request for one falls to the 404 below.
        globIgnore: ["**/*.map", "**/*.map.br", "**/*.map.gz"],
        allowedPath: (path) => !sourceMap.test(path),
        setHeaders: (reply, path) => {
          const immutable = /[\\/]assets[\\/]/.test(path);
          reply.header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
        },
      });
    }
    web.get("/", { schema: { hide: true } }, async (request, reply) => {
      if (!built && !acceptsHtml(request)) {
        return reply.send({
          status: "NOT_BUILT",
          message: "The web app is not built: run npm run build -w @clinic/web",
        });
      }
      return webApp.sendIndex(reply);
    });
    web.get("/*", { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split("?")[0] ?? "/";
      // A missing file (has an extension) or a non-browser call is a real 404, not a page.
      if (!acceptsHtml(request) || /\.[a-z0-9]+$/i.test(path)) throw new RouteNotFound("GET", path);
      return webApp.sendIndex(reply);
    });
  });
  return webApp;
}

function acceptsHtml(request: FastifyRequest): boolean {
  return request.headers["sec-fetch-mode"] === "navigate" || (request.headers.accept ?? "").includes("text/html");
}
