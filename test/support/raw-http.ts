/**
 * Requests written byte for byte to a real loopback socket: for what app.inject() cannot
 * send (malformed request lines and headers, oversized URLs, CONNECT), and to see exactly
 * what the server writes back.
 */
import { connect, type Socket } from "node:net";

export interface RawResponse {
  readonly statusCode: number;
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Splits the first HTTP/1.1 response (with a Content-Length) off `text`. */
export function parseRawResponse(text: string): { response: RawResponse; rest: string } {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0)
    throw new Error(`no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine);
  if (m === null) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(":");
    headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  const length = Number(headers["content-length"]);
  if (!Number.isInteger(length)) throw new Error(`response without Content-Length: ${statusLine}`);
  const bodyStart = end + 4;
  const body = Buffer.from(text.slice(bodyStart), "latin1").subarray(0, length).toString("utf8");
  const rest = Buffer.from(text.slice(bodyStart), "latin1").subarray(length).toString("latin1");
  return { response: { statusCode: Number(m[1]), headers, body }, rest };
}

/** A whole response at the start of `text`, or undefined while it is incomplete. */
function complete(text: string): RawResponse | undefined {
  try {
    const { response } = parseRawResponse(text);
    const declared = Number(response.headers["content-length"]);
    return Buffer.byteLength(response.body) === declared ? response : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes `data` to a new connection and returns everything the server wrote until it closed
 * the connection, `done(text)` held, or `timeoutMs` passed (then the socket is destroyed).
 * `{ pauseMs }` between parts of `data` pauses the writing.
 */
export function rawExchange(
  port: number,
  data: string | (string | { pauseMs: number })[],
  {
    timeoutMs = 5000,
    done,
    localAddress,
  }: { timeoutMs?: number; done?: (text: string) => boolean; localAddress?: string } = {},
): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect({
      port,
      host: "127.0.0.1",
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    let text = "";
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closedByServer });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (done?.(text)) finish(false);
    });
    socket.on("close", () => finish(true));
    // A server that closes with unread input makes the kernel reset the connection; what
    // it wrote before is still in `text`.
    socket.on("error", () => finish(true));
    socket.on("connect", async () => {
      for (const part of typeof data === "string" ? [data] : data) {
        if (typeof part === "string") socket.write(part, "latin1");
        else await new Promise((r) => setTimeout(r, part.pauseMs));
      }
    });
  });
}

/** One request on its own connection (from `localAddress`); the first answer, parsed. */
export async function rawRequest(
  port: number,
  data: string | (string | { pauseMs: number })[],
  timeoutMs = 5000,
  localAddress?: string,
): Promise<RawResponse> {
  const { text } = await rawExchange(port, data, {
    timeoutMs,
    done: (t) => complete(t) !== undefined,
    ...(localAddress === undefined ? {} : { localAddress }),
  });
  return parseRawResponse(text).response;
}
