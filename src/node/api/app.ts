/**
 * The Fastify application: routes over a NodeService, every error (a route's, Fastify's own,
 * or a request Node's HTTP parser refused) answered `{ error: { code, message } }` through
 * error-reply.ts, per-client rate limiting by work and load shedding (traffic-control.ts),
 * and the OpenAPI document generated from the route schemas at /openapi.json.
 */
import swagger from "@fastify/swagger";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import { fromHex } from "../../crypto/bytes.ts";
import { isSaylauError } from "../../errors.ts";
import type { SnapshotService } from "../state-sync-serve.ts";
import {
  apiError,
  clientErrorFor,
  errorBody,
  quote,
  sendError,
  writeRawError,
} from "./error-reply.ts";
import { evidenceSchema, MAX_EVIDENCE_PER_PAGE } from "./evidence-schema.ts";
import { LoadGuard } from "./load-guard.ts";
import {
  blockSchema,
  blocksSchema,
  ceremonySchema,
  consistencySchema,
  credentialSchema,
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
import { registerSnapshotRoutes } from "./snapshot-routes.ts";
import { installTrafficControl } from "./traffic-control.ts";
import { registerWebApp } from "./web-app.ts";
import { WorkLimiter } from "./work-limiter.ts";

export interface ApiOptions {
  readonly logger?: Logger | false;
  /** Largest request body in bytes (a transaction in hex plus JSON overhead). */
  readonly bodyLimit?: number;
  /**
   * Each client address's work budget: `perMinute` units a minute, up to `burst` at once
   * (traffic-control.ts says what a request costs). Undefined: no limit.
   */
  readonly rateLimit?: { readonly perMinute: number; readonly burst: number } | undefined;
  /**
   * Load shedding (load-guard.ts): 503 node/overloaded to submissions while the
   * verification backlog (ms) or the event loop's utilization (0-1) is over these bounds; 0
   * turns a signal off. Undefined: no shedding.
   */
  readonly overload?:
    | { readonly maxVerifyWaitMs: number; readonly maxEventLoopUtilization: number }
    | undefined;
  /** Told the code of each request refused by the rate limit or load shedding. */
  readonly onRefused?: ((code: string) => void) | undefined;
  /**
   * A request (headers and body) must arrive within this long, or it is answered 408 and
   * its connection closed: a client sending slowly cannot hold a connection for ever.
   */
  readonly requestTimeoutMs?: number;
  /** Folder of the built web app served at `/` (default web/dist). */
  readonly webRoot?: string;
  /** State snapshots to serve (GET /v1/snapshot...); undefined: none. */
  readonly snapshots?: SnapshotService;
}

export async function buildApi(
  service: NodeService,
  options: ApiOptions = {},
): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  let closing = false;
  const onError = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const e = apiError(error);
    if (e.code === "api/internal") request.log.error({ err: error }, "unhandled error");
    return sendError(reply, e);
  };

  const base = {
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    // Unknown fields must be errors, not silently stripped; nothing is coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Fastify's own answer while closing has its own shape; the hook below answers instead.
    return503OnClosing: false,
    // Node answers an HTTP/1.1 request without Host with an empty 400; the hook below
    // answers it in the API's shape.
    http: {
      requireHostHeader: false,
      requestTimeout,
      headersTimeout: requestTimeout,
      // How often Node looks for expired requests: the timeout is met within a quarter.
      connectionsCheckingInterval: Math.max(25, Math.min(30_000, Math.floor(requestTimeout / 4))),
    },
    requestTimeout,
    // Errors Fastify meets before a route runs (an undecodable URL, an over-long path
    // parameter) get the same shape as every other.
    frameworkErrors: onError,
    // Requests Node's parser refuses (malformed request line or headers, headers over
    // the limit, a timeout) never reach Fastify: answer them on the socket.
    clientErrorHandler(err: NodeJS.ErrnoException, socket: import("node:net").Socket) {
      if (err.code === "ECONNRESET" || socket.destroyed) return;
      const e = clientErrorFor(err);
      if (options.logger) options.logger.debug({ err, answer: e.code }, "malformed HTTP request");
      writeRawError(socket, e);
    },
    // One line per request would drown the node's own log; errors are logged below.
    logController: new LogController({ disableRequestLogging: true }),
  } as const;
  const app: FastifyInstance = options.logger
    ? (Fastify({ ...base, loggerInstance: options.logger }) as unknown as FastifyInstance)
    : Fastify(base);

  app.addSchema(errorSchema);
  app.setErrorHandler(onError);
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, {
      status: 404,
      code: "api/not_found",
      message: `no route ${request.method} ${quote(request.url)}`,
    }),
  );

  // An `Expect` other than 100-continue: Node would answer 417 with an empty body.
  app.server.on("checkExpectation", (req, res) => {
    const body = errorBody(
      "api/expectation_failed",
      `cannot meet the expectation ${JSON.stringify(quote(req.headers.expect ?? ""))}`,
    );
    res.writeHead(417, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      connection: "close",
    });
    res.end(body);
  });
  // CONNECT is not a request for a resource: Node hands over the socket (and would close
  // it without a word).
  app.server.on("connect", (req, socket) => {
    writeRawError(socket, {
      status: 404,
      code: "api/not_found",
      message: `no route ${req.method} ${quote(req.url ?? "")}`,
    });
  });

  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async (request, reply) => {
    if (closing) {
      reply.header("connection", "close");
      return sendError(reply, {
        status: 503,
        code: "node/not_ready",
        message: "node is shutting down",
      });
    }
    if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) {
      return sendError(reply, {
        status: 400,
        code: "api/malformed_request",
        message: "an HTTP/1.1 request needs a Host header",
      });
    }
  });

  await app.register(swagger, {
    openapi: {
      info: { title: "Saylau validator API", version: "1" },
    },
  });

  const guard =
    options.overload === undefined
      ? undefined
      : new LoadGuard({ ...options.overload, verifyWaitMs: () => service.verifyBacklogMs() });
  guard?.start();
  app.addHook("onClose", async () => guard?.stop());
  const traffic = installTrafficControl(app, {
    limiter: options.rateLimit && new WorkLimiter(options.rateLimit),
    guard,
    onRefused: options.onRefused,
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
    async (request, reply) => {
      const { txs } = request.body as { txs: string[] };
      const refused = traffic.chargeBatch(request, txs.length);
      if (refused !== undefined) return sendError(reply, refused);
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
  app.get("/v1/ceremony", { schema: ceremonySchema }, async () => service.ceremony());
  app.get("/v1/credentials/:key", { schema: credentialSchema }, async (request) => {
    const { key } = request.params as { key: string };
    return service.credential(key);
  });

  app.get("/v1/proofs/consistency", { schema: consistencySchema }, async (request) => {
    const q = request.query as { from: string; to: string };
    return service.consistency(Number(q.from), Number(q.to));
  });

  app.get("/v1/evidence", { schema: evidenceSchema }, async (request) => {
    const q = request.query as { after?: string; limit?: string };
    return service.evidence(q.after ?? null, Number(q.limit ?? MAX_EVIDENCE_PER_PAGE));
  });

  if (options.snapshots !== undefined) registerSnapshotRoutes(app, options.snapshots);

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
