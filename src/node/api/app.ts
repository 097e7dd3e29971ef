/**
 * The Fastify application: routes over a NodeService, every error mapped to
 * `{ error: { code, message } }` through error-status.ts, per-client rate limiting, and the
 * OpenAPI document generated from the route schemas at /openapi.json.
 */
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyError, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import { fromHex } from "../../crypto/bytes.ts";
import { isSaylauError, type SaylauError } from "../../errors.ts";
import { statusForCode } from "./error-status.ts";
import { evidenceSchema, MAX_EVIDENCE_PER_PAGE } from "./evidence-schema.ts";
import {
  blockSchema,
  blocksSchema,
  consistencySchema,
  electionSchema,
  errorSchema,
  healthSchema,
  MAX_BLOCKS_PER_PAGE,
  receiptSchema,
  resultsSchema,
  statusSchema,
  submitBatchSchema,
  submitSchema,
  tallySchema,
  txStatusSchema,
} from "./schemas.ts";
import type { NodeService } from "./service.ts";
import { registerWebApp } from "./web-app.ts";

export interface ApiOptions {
  readonly logger?: Logger | false;
  /** Largest request body in bytes (a transaction in hex plus JSON overhead). */
  readonly bodyLimit?: number;
  /** Requests per client address per minute. */
  readonly rateLimitPerMinute?: number;
  /** Folder of the built web app served at `/` (default web/dist). */
  readonly webRoot?: string;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "api/malformed_json",
  FST_ERR_CTP_EMPTY_JSON_BODY: "api/malformed_json",
  FST_ERR_CTP_BODY_TOO_LARGE: "api/body_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "api/unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "api/invalid_request",
};

export async function buildApi(
  service: NodeService,
  options: ApiOptions = {},
): Promise<FastifyInstance> {
  const base = {
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    // Unknown fields must be errors, not silently stripped; nothing is coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    return503OnClosing: true,
    // One line per request would drown the node's own log; errors are logged below.
    logController: new LogController({ disableRequestLogging: true }),
  } as const;
  const app: FastifyInstance = options.logger
    ? (Fastify({ ...base, loggerInstance: options.logger }) as unknown as FastifyInstance)
    : Fastify(base);

  app.addSchema(errorSchema);

  app.setErrorHandler((error: FastifyError | SaylauError, request, reply) => {
    let code: string;
    let message = error.message;
    if (isSaylauError(error)) {
      code = error.code;
    } else if ("validation" in error && error.validation !== undefined) {
      code = "api/invalid_request";
    } else if (error.code !== undefined && FASTIFY_CODES[error.code] !== undefined) {
      code = FASTIFY_CODES[error.code]!;
    } else if (error.statusCode === 429) {
      code = "api/rate_limited";
    } else if (
      typeof error.statusCode === "number" &&
      error.statusCode >= 400 &&
      error.statusCode < 500
    ) {
      code = "api/invalid_request";
    } else {
      code = "api/internal";
      request.log.error({ err: error }, "unhandled error");
      message = "internal error";
    }
    const status =
      code === "api/internal"
        ? 500
        : isSaylauError(error)
          ? statusForCode(code)
          : (error.statusCode ?? 400);
    if (status === 503 && code === "mempool/full") reply.header("retry-after", "1");
    void reply.status(status).send({ error: { code, message } });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: { code: "api/not_found", message: `no route ${request.method} ${request.url}` },
    });
  });

  await app.register(swagger, {
    openapi: {
      info: { title: "Saylau validator API", version: "1" },
    },
  });

  await app.register(rateLimit, {
    max: options.rateLimitPerMinute ?? 6000,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      code: "api/rate_limited",
      message: `rate limit of ${ctx.max} requests per minute exceeded; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
    }),
  });

  for (const [url, onlyType] of [
    ["/v1/ballots", "ballot"],
    ["/v1/transactions", undefined],
  ] as const) {
    app.post(url, { schema: submitSchema }, async (request, reply) => {
      const { tx } = request.body as { tx: string };
      const result = await service.submit(fromHex(tx), onlyType);
      reply.status(202);
      return { ...result, status: "pending" };
    });
  }

  // Many transactions in one request (an authority registering credentials in bulk, a
  // load generator): each is admitted exactly as if posted alone, with its own result.
  app.post(
    "/v1/transactions/batch",
    { schema: submitBatchSchema, bodyLimit: 8 * 1024 * 1024 },
    async (request) => {
      const { txs } = request.body as { txs: string[] };
      const results = await Promise.all(
        txs.map(async (hex) => {
          try {
            return { ...(await service.submit(fromHex(hex))), status: "pending" };
          } catch (err) {
            if (!isSaylauError(err)) throw err;
            return { error: { code: err.code, message: err.message } };
          }
        }),
      );
      return { results };
    },
  );

  app.get("/v1/ballots/:id", { schema: txStatusSchema }, async (request) => {
    return service.txStatus((request.params as { id: string }).id);
  });
  app.get("/v1/transactions/:id", { schema: txStatusSchema }, async (request) => {
    return service.txStatus((request.params as { id: string }).id);
  });

  app.get("/v1/ballots/:id/receipt", { schema: receiptSchema }, async (request) => {
    return service.receipt((request.params as { id: string }).id);
  });

  app.get("/v1/blocks/:height", { schema: blockSchema }, async (request) => {
    return service.block(Number((request.params as { height: string }).height));
  });

  app.get("/v1/blocks", { schema: blocksSchema }, async (request) => {
    const q = request.query as { from: string; limit?: string };
    const from = Number(q.from);
    const limit = Math.min(Number(q.limit ?? MAX_BLOCKS_PER_PAGE), MAX_BLOCKS_PER_PAGE);
    const blocks = await service.blocks(from, limit);
    const status = service.status();
    const last = blocks.at(-1)?.height ?? from - 1;
    return { blocks, next: last < status.height ? last + 1 : null };
  });

  app.get("/v1/election", { schema: electionSchema }, async () => service.election());
  app.get("/v1/status", { schema: statusSchema }, async () => service.status());
  app.get("/v1/results", { schema: resultsSchema }, async () => service.results());
  app.get("/v1/tally", { schema: tallySchema }, async () => service.tally());

  app.get("/v1/proofs/consistency", { schema: consistencySchema }, async (request) => {
    const q = request.query as { from: string; to: string };
    return service.consistency(Number(q.from), Number(q.to));
  });

  app.get("/v1/evidence", { schema: evidenceSchema }, async (request) => {
    const q = request.query as { after?: string; limit?: string };
    return service.evidence(q.after ?? null, Number(q.limit ?? MAX_EVIDENCE_PER_PAGE));
  });

  app.get("/metrics", { config: { rateLimit: false } }, async (_request, reply) => {
    const { contentType, body } = await service.metrics();
    void reply.header("content-type", contentType);
    return body;
  });

  app.get(
    "/healthz",
    { schema: healthSchema, config: { rateLimit: false } },
    async (_request, reply) => {
      const health = service.health();
      reply.status(health.ok ? 200 : 503);
      return health;
    },
  );

  app.get("/openapi.json", { config: { rateLimit: false } }, async () => app.swagger());

  registerWebApp(app, options.webRoot);

  return app;
}
