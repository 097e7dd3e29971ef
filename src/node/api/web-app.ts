/**
 * The voter and observer web app, served by the validator itself at `/` from the files
 * scripts/build-web.ts wrote (web/dist): nothing from other hosts. Only files under that
 * folder, by names made of plain characters; anything else falls through to the API's JSON
 * 404. Every GET /v1/* and /healthz answer carries `access-control-allow-origin: *` so a
 * page served by one commission's node can cross-check another node (all read-only, public
 * data; the board page shows each node's health).
 */
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

/** SAYLAU_WEB_ROOT, else web/dist beside the sources (what `npm ci` builds). */
export function webRoot(): string {
  return process.env.SAYLAU_WEB_ROOT ?? DEFAULT_WEB_ROOT;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

/** Path segments of plain characters only: no "..", no hidden files, no encodings. */
const SAFE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function registerWebApp(app: FastifyInstance, root: string = webRoot()): void {
  const base = resolve(root);
  app.addHook("onSend", async (request, reply, payload) => {
    if (
      request.method === "GET" &&
      (request.url.startsWith("/v1/") || request.url === "/healthz")
    ) {
      void reply.header("access-control-allow-origin", "*");
    }
    return payload;
  });

  const serve = async (file: string) => {
    if (!SAFE_PATH.test(file)) return null;
    const type = CONTENT_TYPES[extname(file)];
    if (type === undefined) return null;
    const path = join(base, file);
    try {
      if (!(await stat(path)).isFile()) return null;
      return { type, body: await readFile(path) };
    } catch {
      return null;
    }
  };

  app.get(
    "/*",
    { schema: { hide: true }, config: { rateLimit: false } },
    async (request, reply) => {
      const raw = (request.params as { "*": string })["*"];
      const file = raw === "" ? "index.html" : raw;
      const found = await serve(file);
      if (found === null) {
        if (raw === "") {
          reply.status(503);
          return {
            error: {
              code: "api/web_not_built",
              message: "the web app is not built on this node: run npm run build:web",
            },
          };
        }
        return reply.callNotFound();
      }
      void reply.header("content-type", found.type);
      void reply.header("x-content-type-options", "nosniff");
      // Chunks carry a content hash in their name; everything else is revalidated.
      void reply.header(
        "cache-control",
        file.startsWith("chunks/") ? "public, max-age=31536000, immutable" : "no-cache",
      );
      if (found.type.startsWith("text/html")) {
        void reply.header(
          "content-security-policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src *; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        );
      }
      return reply.send(found.body);
    },
  );
}
