/** A small JSON client for a validator's API, turning every failure into a typed error. */
import { SaylauError } from "../errors.ts";

export async function apiRequest<T>(base: string, path: string, body?: unknown): Promise<T> {
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
    throw new SaylauError(error?.code ?? "cli/http_error", error?.message ?? `HTTP ${res.status}`, {
      status: res.status,
    });
  }
  return json as T;
}
