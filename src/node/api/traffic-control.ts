/**
 * Admission control at the HTTP edge: each client's work budget (work-limiter.ts), then load
 * shedding (load-guard.ts). Both are decided in onRequest, before the body is read or parsed,
 * so refusing costs the node as little as answering can: a request refused there costs it
 * about what a GET /v1/status does. A batch's cost is known only once its body is parsed;
 * the batch route then charges the rest with `chargeBatch`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type ApiError, sendError } from "./error-reply.ts";
import type { LoadGuard } from "./load-guard.ts";
import { clientKey, type WorkLimiter } from "./work-limiter.ts";

const SUBMISSIONS = new Set(["/v1/ballots", "/v1/transactions", "/v1/transactions/batch"]);

export interface TrafficControlOptions {
  /** Per-client work budget; undefined: none. */
  readonly limiter?: WorkLimiter | undefined;
  /** Load shedding; undefined: none. */
  readonly guard?: LoadGuard | undefined;
  /** Told the code of every request refused here (for the node's metrics). */
  readonly onRefused?: ((code: string) => void) | undefined;
  readonly now?: () => number;
}

export interface TrafficControl {
  /**
   * Charges a parsed batch of `count` transactions the rest of its cost (onRequest charged
   * one unit): the answer to send if the client's budget does not cover it.
   */
  chargeBatch(request: FastifyRequest, count: number): ApiError | undefined;
}

export function installTrafficControl(
  app: FastifyInstance,
  options: TrafficControlOptions,
): TrafficControl {
  const { limiter, guard, onRefused } = options;
  const now = options.now ?? (() => performance.now());

  const rateLimited = (retryAfterMs: number, cost: number): ApiError => {
    onRefused?.("api/rate_limited");
    const retryAfterS = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return {
      status: 429,
      code: "api/rate_limited",
      message:
        `rate limit of ${limiter!.perMinute} work units a minute per client (burst ${limiter!.burst}) ` +
        `exceeded by a request of ${cost}: a request costs one unit, a batch one per transaction; ` +
        `retry in ${retryAfterS} s`,
      retryAfterS,
    };
  };

  app.addHook("onRequest", async (request, reply) => {
    // Routes declared with `config: { rateLimit: false }` (what an operator must reach under
    // any load: /metrics, /healthz, /openapi.json; and the web app's files) are exempt.
    if ((request.routeOptions.config as { rateLimit?: unknown }).rateLimit === false) return;
    const route = request.routeOptions.url;
    if (limiter !== undefined) {
      const taken = limiter.take(clientKey(request.ip), 1, now());
      if (!taken.ok) return sendError(reply, rateLimited(taken.retryAfterMs, 1));
    }
    const submission = request.method === "POST" && route !== undefined && SUBMISSIONS.has(route);
    const overload = submission ? guard?.check() : undefined;
    if (overload !== undefined) {
      onRefused?.("node/overloaded");
      return sendError(reply, {
        status: 503,
        code: "node/overloaded",
        message: overload.message,
        retryAfterS: overload.retryAfterS,
      });
    }
  });

  return {
    chargeBatch(request, count) {
      if (limiter === undefined || count <= 1) return undefined;
      // With the unit onRequest took, the batch needs what a request of `count` needs: the
      // whole cost, or a full bucket when the cost is over the burst.
      const need = Math.min(count, limiter.burst) - 1;
      const taken = limiter.take(clientKey(request.ip), count - 1, now(), need);
      return taken.ok ? undefined : rateLimited(taken.retryAfterMs, count);
    },
  };
}
