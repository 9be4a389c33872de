import compress from "@fastify/compress";
import type { FastifyInstance } from "fastify";

/**
 * Below this size a JSON answer leaves as it is: compressing a few hundred bytes saves less
 * than the header it adds and costs CPU on every request.
 */
export const compressionThresholdBytes = 1024;

/**
 * Compresses responses above the threshold with brotli or gzip, whichever the client prefers
 * (`Accept-Encoding`), and says so in `Vary`. Brotli runs at quality 4 (the library's default
 * for dynamic content: most of the gain of quality 11 at a fraction of the CPU). Request bodies
 * are never decompressed: a small compressed body could expand past the body limit.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    global: true,
    encodings: ["br", "gzip"],
    threshold: compressionThresholdBytes,
    globalDecompression: false,
  });
}
