/**
 * Load shedding. When the node is saturated the API answers submissions 503
 * `node/overloaded` with Retry-After at once, before reading the body, instead of taking on
 * work it could only do late. Per-client rate limits cannot do this alone: many clients,
 * each within its budget, can together ask for more than the node can do. Reads are not
 * shed: they are cheap, and a voter must be able to check a receipt when the node is busy.
 * Two signals:
 *
 * - the verification backlog: about how long a transaction submitted now would wait for a
 *   verification worker (VerifyPool.backlogMs), before its own check, a durable write and
 *   consensus. Measured in time, the bound holds whatever the mix of transactions (a ballot
 *   costs each validator some 40 times what a registration does);
 * - the event loop's utilization over the last sampling period (the share of time it was
 *   busy rather than waiting for I/O): near 1 the main thread, which also runs consensus,
 *   cannot take on more.
 */
export interface LoadGuardOptions {
  /** Shed submissions while the verification backlog is over this (ms); 0: never. */
  readonly maxVerifyWaitMs: number;
  /** Shed submissions while the event loop's utilization is at least this (0-1); 0: never. */
  readonly maxEventLoopUtilization: number;
  /** The node's verification backlog now, in ms. */
  readonly verifyWaitMs: () => number;
  readonly sampleMs?: number;
}

export interface Overload {
  readonly message: string;
  readonly retryAfterS: number;
}

export class LoadGuard {
  readonly #options: LoadGuardOptions;
  #timer: NodeJS.Timeout | undefined;
  #utilization = 0;

  constructor(options: LoadGuardOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#options.maxEventLoopUtilization <= 0 || this.#timer !== undefined) return;
    let last = performance.eventLoopUtilization();
    this.#timer = setInterval(() => {
      const now = performance.eventLoopUtilization();
      this.#utilization = performance.eventLoopUtilization(now, last).utilization;
      last = now;
    }, this.#options.sampleMs ?? 500);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The event loop's utilization over the last sampling period, 0 to 1. */
  get eventLoopUtilization(): number {
    return this.#utilization;
  }

  /** Why a submission should be refused now, or undefined. */
  check(): Overload | undefined {
    const { maxVerifyWaitMs, maxEventLoopUtilization } = this.#options;
    if (maxVerifyWaitMs > 0) {
      const wait = this.#options.verifyWaitMs();
      if (wait > maxVerifyWaitMs) {
        return {
          message: `node overloaded: the verification backlog is ${Math.round(wait)} ms (bound ${maxVerifyWaitMs} ms)`,
          // The backlog is about that much work: no use coming back much sooner.
          retryAfterS: Math.max(1, Math.ceil(wait / 1000)),
        };
      }
    }
    if (maxEventLoopUtilization > 0 && this.#utilization >= maxEventLoopUtilization) {
      return {
        message: `node overloaded: event loop ${(this.#utilization * 100).toFixed(0)}% busy (bound ${(maxEventLoopUtilization * 100).toFixed(0)}%)`,
        retryAfterS: 1,
      };
    }
    return undefined;
  }
}
