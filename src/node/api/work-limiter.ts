/**
 * Per-client rate limiting by work, not by requests: a token bucket per client address that
 * refills at `perMinute` units a minute up to `burst`. A request costs one unit for each
 * transaction it submits (a batch of n costs n) and one unit otherwise. The clock is passed
 * in, so the arithmetic is tested without waiting.
 */
import { setBounded } from "../../bounded-map.ts";

export interface WorkLimiterOptions {
  readonly perMinute: number;
  readonly burst: number;
  /** Clients remembered at once; the least recently seen is forgotten first. */
  readonly maxClients?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export type Take = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export class WorkLimiter {
  readonly perMinute: number;
  readonly burst: number;
  readonly #perMs: number;
  readonly #maxClients: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: WorkLimiterOptions) {
    this.perMinute = options.perMinute;
    this.burst = options.burst;
    this.#perMs = options.perMinute / 60_000;
    this.#maxClients = options.maxClients ?? 100_000;
  }

  /**
   * Spends `cost` units of `client`'s budget at time `now` (ms) if it holds `need` of them
   * (by default the cost, or the whole burst when the cost is larger: a request that costs
   * more than the burst passes on a full bucket and leaves the client in debt, to be repaid
   * before its next request). Refused requests spend nothing.
   */
  take(client: string, cost: number, now: number, need = Math.min(cost, this.burst)): Take {
    const b = this.#buckets.get(client) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + Math.max(0, now - b.at) * this.#perMs);
    b.at = now;
    // Re-inserted on every use, so the map's oldest entry is the least recently seen client.
    this.#buckets.delete(client);
    setBounded(this.#buckets, client, b, this.#maxClients);
    if (b.tokens < need) return { ok: false, retryAfterMs: (need - b.tokens) / this.#perMs };
    b.tokens -= cost;
    return { ok: true };
  }

  get clients(): number {
    return this.#buckets.size;
  }
}

/**
 * The key a client is limited by: its IPv4 address, or the /64 prefix of its IPv6 address
 * (one host usually has a whole /64, and could otherwise take a new budget per address).
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) return mapped[1]!;
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("%")[0]!.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = ip.includes("::")
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
