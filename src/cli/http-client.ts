/** A small JSON client for a validator's API, turning every failure into a typed error. */
import { SaylauError } from "../errors.ts";

/**
 * How long a request keeps retrying a validator that answers 429 api/rate_limited (this
 * client's budget is spent) or 503 node/overloaded (the validator sheds load, as it may while
 * starting): each wait is the Retry-After it names, at most 5 s. Resending is safe: a transaction is the same signed bytes, and a
 * validator that answered 429 or 503 did not accept it.
 */
const RETRY_FOR_MS = 60_000;
const MAX_RETRY_WAIT_MS = 5_000;

export async function apiRequest<T>(base: string, path: string, body?: unknown): Promise<T> {
  const giveUpAt = Date.now() + RETRY_FOR_MS;
  for (;;) {
    try {
      return await requestOnce<T>(base, path, body);
    } catch (err) {
      const retryAfterMs = (err as SaylauError).details?.retryAfterMs;
      if (typeof retryAfterMs !== "number" || Date.now() + retryAfterMs > giveUpAt) throw err;
      await new Promise((r) => setTimeout(r, retryAfterMs));
    }
  }
}

async function requestOnce<T>(base: string, path: string, body?: unknown): Promise<T> {
  let url: URL;
  try {
    url = new URL(path, base);
  } catch {
    throw new SaylauError("cli/bad_url", `not a URL: ${base}`);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new SaylauError(
      "cli/unreachable",
      `cannot reach ${url.origin}: ${(err as Error).message}`,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SaylauError(
      "cli/bad_response",
      `${url.origin} answered ${res.status} with a body that is not JSON`,
    );
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } }).error;
    const retryAfter = Number(res.headers.get("retry-after") ?? "1");
    // Only the validator's own "not now" answers; any other 503 (a damaged store) is final.
    const retryable = error?.code === "api/rate_limited" || error?.code === "node/overloaded";
    throw new SaylauError(error?.code ?? "cli/http_error", error?.message ?? `HTTP ${res.status}`, {
      status: res.status,
      ...(retryable
        ? {
            retryAfterMs: Math.min(
              MAX_RETRY_WAIT_MS,
              Math.max(200, (Number.isFinite(retryAfter) ? retryAfter : 1) * 1000),
            ),
          }
        : {}),
    });
  }
  return json as T;
}
