/**
 * A closed-loop HTTP/1.1 load generator over raw keep-alive sockets: each connection sends
 * its next request as soon as the answer to the previous one is complete. It parses only the
 * status line and Content-Length, so the client costs far less per request than the server
 * and can offer more than a validator serves on the same machine.
 */
import { connect, type Socket } from "node:net";

export interface FloodOptions {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  /** Stop sending after this long (answers in flight are still awaited). */
  readonly seconds: number;
  /** The i-th request's bytes (a whole HTTP/1.1 request); undefined: nothing left to send. */
  readonly request: (i: number) => Uint8Array | undefined;
  /**
   * Source addresses (any 127.x.y.z on Linux), connection j using the (j mod n)-th: the
   * server's rate limit is per address. Default: the system's choice.
   */
  readonly localAddresses?: readonly string[];
  /** Told of every complete answer: the request's i, its status, and its bytes. */
  readonly onResponse?: (i: number, status: number, response: Buffer) => void;
}

export interface FloodResult {
  readonly seconds: number;
  readonly byStatus: ReadonlyMap<number, number>;
  /** Milliseconds from sending each request to its complete answer, sorted. */
  readonly latencies: number[];
  /** The i of every request answered 2xx. */
  readonly ok: number[];
}

/** One complete response at the start of `buf`: its status and total length, or undefined. */
function parseResponse(buf: Buffer): { status: number; length: number } | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString("latin1");
  const status = Number(head.slice(9, 12));
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (m === null) throw new Error(`response without Content-Length: ${head.slice(0, 200)}`);
  const length = end + 4 + Number(m[1]);
  return buf.length >= length ? { status, length } : undefined;
}

export async function flood(options: FloodOptions): Promise<FloodResult> {
  const byStatus = new Map<number, number>();
  const latencies: number[] = [];
  const ok: number[] = [];
  let next = 0;
  const started = performance.now();
  const stopAt = started + options.seconds * 1000;

  const runConnection = (j: number) =>
    new Promise<void>((resolve, reject) => {
      let socket: Socket;
      let buf: Buffer = Buffer.alloc(0);
      let current = -1;
      let sentAt = 0;
      let done = false;
      const send = () => {
        const i = next++;
        const bytes = performance.now() < stopAt ? options.request(i) : undefined;
        if (bytes === undefined) {
          done = true;
          socket.end();
          resolve();
          return;
        }
        current = i;
        sentAt = performance.now();
        socket.write(bytes);
      };
      const open = () => {
        buf = Buffer.alloc(0);
        socket = connect({
          host: options.host,
          port: options.port,
          ...(options.localAddresses === undefined
            ? {}
            : { localAddress: options.localAddresses[j % options.localAddresses.length]! }),
        });
        socket.setNoDelay(true);
        socket.on("connect", send);
        socket.on("data", (chunk: Buffer) => {
          buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
          for (;;) {
            const r = parseResponse(buf);
            if (r === undefined) return;
            options.onResponse?.(current, r.status, buf.subarray(0, r.length));
            buf = buf.subarray(r.length);
            byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
            latencies.push(performance.now() - sentAt);
            if (r.status >= 200 && r.status < 300) ok.push(current);
            send();
          }
        });
        // The server may close a connection (after an error answer): open another.
        socket.on("close", () => {
          if (!done && current >= 0 && performance.now() < stopAt) open();
        });
        socket.on("error", (err) => {
          if (done || performance.now() >= stopAt) resolve();
          else if ((err as NodeJS.ErrnoException).code !== "ECONNRESET") reject(err);
        });
      };
      open();
    });

  await Promise.all(Array.from({ length: options.connections }, (_, j) => runConnection(j)));
  latencies.sort((a, b) => a - b);
  return { seconds: (performance.now() - started) / 1000, byStatus, latencies, ok };
}

/** A keep-alive HTTP/1.1 request as bytes. */
export function httpRequest(method: string, path: string, body?: string): Uint8Array {
  const head =
    body === undefined
      ? `${method} ${path} HTTP/1.1\r\nHost: bench\r\n\r\n`
      : `${method} ${path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return Buffer.from(head, "utf8");
}
