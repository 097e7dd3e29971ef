/**
 * Reading a validator's HTTP API from the page, and posting a signed ballot so that a
 * dropped connection is safe to retry: the same bytes are sent again (same transaction id),
 * and a node that already holds them answers "duplicate", which means the first try landed.
 */
import { toHex } from "../../src/crypto/bytes.ts";
import { txId } from "../../src/ledger/transactions.ts";

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** The node that served this page, or another one given as a URL. */
export function nodeUrl(base: string | null | undefined): string {
  const url = base === null || base === undefined || base.trim() === "" ? location.origin : base;
  return url.trim().replace(/\/+$/, "");
}

export async function getJson<T>(base: string, path: string, timeoutMs = 10_000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${nodeUrl(base)}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new ApiError("net/unreachable", String(err), 0);
  }
  const body = (await res.json().catch(() => null)) as
    | (T & { error?: { code: string; message: string } })
    | null;
  if (!res.ok || body === null) {
    const e = body?.error;
    throw new ApiError(e?.code ?? "net/bad_answer", e?.message ?? `HTTP ${res.status}`, res.status);
  }
  return body;
}

export interface PostOutcome {
  readonly id: string;
  /** Attempts made, 1 when the first went through. */
  readonly attempts: number;
}

const RETRYABLE = new Set([
  "net/unreachable",
  "mempool/full",
  "node/not_ready",
  "api/rate_limited",
]);
const ALREADY_THERE = new Set(["mempool/duplicate", "ledger/duplicate_tx"]);

/**
 * Posts the signed ballot, retrying the same bytes after a network failure or a busy node
 * (backoff 0.5 s, 1 s, 2 s, ...). `onRetry` lets the page say that it is trying again.
 */
export async function postBallot(
  base: string,
  tx: Uint8Array,
  onRetry: (attempt: number) => void = () => {},
  maxAttempts = 6,
): Promise<PostOutcome> {
  const id = toHex(txId(tx));
  const payload = JSON.stringify({ tx: toHex(tx) });
  for (let attempt = 1; ; attempt++) {
    let code: string;
    let message: string;
    let status = 0;
    try {
      const res = await fetch(`${nodeUrl(base)}/v1/ballots`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: payload,
        signal: AbortSignal.timeout(15_000),
      });
      status = res.status;
      const body = (await res.json().catch(() => null)) as {
        id?: string;
        error?: { code: string; message: string };
      } | null;
      if (res.status === 202) return { id, attempts: attempt };
      code = body?.error?.code ?? "net/bad_answer";
      message = body?.error?.message ?? `HTTP ${res.status}`;
    } catch (err) {
      code = "net/unreachable";
      message = String(err);
    }
    // A retry of bytes that did reach the node: the ballot is there once, as intended.
    if (attempt > 1 && ALREADY_THERE.has(code)) return { id, attempts: attempt };
    if (!RETRYABLE.has(code) || attempt >= maxAttempts) throw new ApiError(code, message, status);
    onRetry(attempt);
    await new Promise((r) => setTimeout(r, 500 * 2 ** (attempt - 1)));
  }
}
