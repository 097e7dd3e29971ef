/**
 * Every answer the API sends for a failed request has the one documented shape,
 * `{"error":{"code","message"}}`, including those that Fastify and Node's HTTP server write
 * on their own: undecodable URLs, over-long paths and headers, requests the HTTP parser
 * refuses, unmet `Expect`s, CONNECT, timeouts and requests during shutdown. Requests are
 * written byte for byte to a real loopback socket (app.inject() cannot send most of these),
 * against the API over a stub node.
 */
import { connect } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SaylauError } from "../../../../src/errors.ts";
import { buildApi } from "../../../../src/node/api/app.ts";
import type { NodeService } from "../../../../src/node/api/service.ts";
import { expectErrorShape } from "../../../support/api-cluster.ts";
import { parseRawResponse, rawExchange, rawRequest } from "../../../support/raw-http.ts";

/** A node that refuses every transaction and knows no transaction; status() fails. */
function stubService(): NodeService {
  const unused = () => {
    throw new Error("not used by these tests");
  };
  return {
    submit: async () => {
      throw new SaylauError("codec/malformed", "not a transaction");
    },
    txStatus: async (id) => {
      throw new SaylauError("node/not_found", `no transaction ${id}`);
    },
    ceremony: unused,
    status: () => {
      throw new Error("secret internal detail");
    },
    receipt: unused,
    block: unused,
    blocks: unused,
    election: unused,
    results: unused,
    tally: unused,
    credential: unused,
    consistency: unused,
    evidence: unused,
    metrics: unused,
    health: () => ({ ok: true, detail: "stub" }),
    verifyBacklogMs: () => 0,
  };
}

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  return (app.server.address() as import("node:net").AddressInfo).port;
}

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  app = await buildApi(stubService());
  port = await listen(app);
});

afterAll(async () => {
  await app.close();
});

const get = (path: string, headers = "") =>
  `GET ${path} HTTP/1.1\r\nHost: test\r\n${headers}Connection: close\r\n\r\n`;
const post = (body: string, headers: string) =>
  `POST /v1/ballots HTTP/1.1\r\nHost: test\r\n${headers}` +
  `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

interface Case {
  readonly name: string;
  readonly request: string;
  readonly status: number;
  readonly code: string;
}

const CASES: Case[] = [
  // ---- refused by Node's HTTP parser: Fastify never sees these
  {
    name: "a 100 KB URL",
    request: get(`/v1/ballots/${"a".repeat(100_000)}`),
    status: 431,
    code: "api/header_too_large",
  },
  {
    name: "a 20 KB header",
    request: get("/v1/status", `X-Filler: ${"b".repeat(20_000)}\r\n`),
    status: 431,
    code: "api/header_too_large",
  },
  {
    name: "Content-Length: abc",
    request: "POST /v1/ballots HTTP/1.1\r\nHost: test\r\nContent-Length: abc\r\n\r\n{}",
    status: 400,
    code: "api/malformed_request",
  },
  {
    name: "both Content-Length and Transfer-Encoding",
    request:
      "POST /v1/ballots HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
      "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    status: 400,
    code: "api/malformed_request",
  },
  {
    name: "a garbage request line",
    request: "HELLO THERE\r\n\r\n",
    status: 400,
    code: "api/malformed_request",
  },
  {
    // Node takes it for HTTP/0.9 and Fastify routes it: still the one shape.
    name: "a request line without a version",
    request: "GET /v2/nothing\r\nHost: test\r\n\r\n",
    status: 404,
    code: "api/not_found",
  },
  {
    name: "binary noise",
    request: "\u0000\u0001\u0002\u00ff\r\n\r\n",
    status: 400,
    code: "api/malformed_request",
  },
  {
    name: "the HTTP/2 connection preface",
    request: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    status: 400,
    code: "api/malformed_request",
  },
  {
    name: "a chunk size that is not hex",
    request:
      "POST /v1/ballots HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
      "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    status: 400,
    code: "api/malformed_request",
  },
  {
    name: "a header line without a colon",
    request: "GET /v1/status HTTP/1.1\r\nHost: test\r\nno colon here\r\n\r\n",
    status: 400,
    code: "api/malformed_request",
  },
  // ---- answered by Node's HTTP server itself unless told otherwise
  {
    name: "an HTTP/1.1 request without Host",
    request: "GET /v1/status HTTP/1.1\r\nConnection: close\r\n\r\n",
    status: 400,
    code: "api/malformed_request",
  },
  {
    name: "an Expect other than 100-continue",
    request: post("{}", "Content-Type: application/json\r\nExpect: teapot\r\n"),
    status: 417,
    code: "api/expectation_failed",
  },
  {
    name: "CONNECT",
    request: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    status: 404,
    code: "api/not_found",
  },
  // ---- Fastify's framework errors
  {
    name: "a URL that is not percent-encoded UTF-8",
    request: get("/v1/ballots/%ff%fe"),
    status: 400,
    code: "api/bad_url",
  },
  {
    // Too long for the router's :id, so the web app's catch-all takes it, and finds no such
    // file.
    name: "a path parameter over 100 characters",
    request: get(`/v1/ballots/${"c".repeat(150)}`),
    status: 404,
    code: "api/not_found",
  },
  { name: "an unknown route", request: get("/v2/anything"), status: 404, code: "api/not_found" },
  {
    name: "an unknown method",
    request: "BREW /v1/status HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    status: 400,
    code: "api/malformed_request",
  },
  {
    name: "a body over the limit",
    request: post("x".repeat(300 * 1024), "Content-Type: application/json\r\n"),
    status: 413,
    code: "api/body_too_large",
  },
  {
    name: "an unsupported media type",
    request: post("<tx>00</tx>", "Content-Type: application/xml\r\n"),
    status: 415,
    code: "api/unsupported_media_type",
  },
  {
    name: "malformed JSON",
    request: post('{"tx": "00"', "Content-Type: application/json\r\n"),
    status: 400,
    code: "api/malformed_json",
  },
  {
    name: "an empty JSON body",
    request: post("", "Content-Type: application/json\r\n"),
    status: 400,
    code: "api/malformed_json",
  },
  {
    name: "a JSON body with __proto__",
    request: post('{"__proto__":{"tx":"00"}}', "Content-Type: application/json\r\n"),
    status: 400,
    code: "api/malformed_json",
  },
  {
    name: "a refused transaction",
    request: post('{"tx":"00"}', "Content-Type: application/json\r\n"),
    status: 400,
    code: "codec/malformed",
  },
];

describe("every error answer has the one shape, over a real socket", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const res = await rawRequest(port, c.request);
    const error = expectErrorShape(res, c.status, c.code);
    // Nothing of what the client sent is echoed back at length.
    expect(error.message.length).toBeLessThan(300);
  });

  it("writes nothing after the answer to a request the parser refused, and closes", async () => {
    const { text, closedByServer } = await rawExchange(port, "HELLO THERE\r\n\r\n");
    expect(closedByServer).toBe(true);
    expect(text.startsWith("HTTP/1.1 400 Bad Request\r\n")).toBe(true);
    const body = text.slice(text.indexOf("\r\n\r\n") + 4);
    expect(JSON.parse(body)).toEqual({
      error: {
        code: "api/malformed_request",
        message: "malformed HTTP request: Invalid method encountered",
      },
    });
  });

  it("answers an unexpected failure 500 api/internal without its details", async () => {
    const res = await rawRequest(port, get("/v1/status"));
    const error = expectErrorShape(res, 500, "api/internal");
    expect(error.message).toBe("internal error");
  });

  it("keeps a connection usable after an error answered by a route", async () => {
    const keepAlive = "GET /v2/x HTTP/1.1\r\nHost: test\r\n\r\n";
    const { text } = await rawExchange(port, [keepAlive, { pauseMs: 50 }, get("/v1/ballots/%ff")], {
      done: (t) => t.split("HTTP/1.1 ").length === 3 && t.endsWith("}"),
    });
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((a) => a.slice(9, 12))).toEqual(["404", "400"]);
  });
});

describe("answers Node would otherwise write on its own", () => {
  it("408 api/request_timeout when the body does not arrive in time", async () => {
    const slow = await buildApi(stubService(), { requestTimeoutMs: 300 });
    const slowPort = await listen(slow);
    try {
      const started = Date.now();
      const res = await rawRequest(
        slowPort,
        "POST /v1/ballots HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
          'Content-Length: 100\r\n\r\n{"tx":',
        5000,
      );
      expectErrorShape(res, 408, "api/request_timeout");
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await slow.close();
    }
  });

  it("503 node/not_ready to a request that arrives while the API is closing", async () => {
    const closing = await buildApi(stubService());
    let began!: () => void;
    const closeBegan = new Promise<void>((r) => {
      began = r;
    });
    // Runs after the API's own preClose hook, which marks it closing.
    closing.addHook("preClose", async () => began());
    const closingPort = await listen(closing);
    // A connection in the middle of its request line is not idle, so closing waits for it;
    // the rest of the request arrives after the close began.
    const socket = connect(closingPort, "127.0.0.1");
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    const ended = new Promise<void>((r) => socket.on("close", () => r()));
    await new Promise((r) => socket.on("connect", r));
    socket.write("GET /v1/ballots/abc HTTP/1.1\r\n");
    await new Promise((r) => setTimeout(r, 50));
    const closed = closing.close();
    await closeBegan;
    socket.write("Host: test\r\n\r\n");
    await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
    socket.destroy();
    await closed;
    const res = parseRawResponse(text).response;
    expectErrorShape(res, 503, "node/not_ready");
    expect(res.headers.connection).toBe("close");
  });
});
