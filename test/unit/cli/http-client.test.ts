/**
 * The CLI's client waits out a validator's 429 api/rate_limited and 503 node/overloaded for
 * the Retry-After it names and sends the same request again; any other error is final.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { apiRequest } from "../../../src/cli/http-client.ts";

let server: Server | undefined;

afterEach(async () => {
  await new Promise((r) => server?.close(r));
  server = undefined;
});

/** A server that answers `answers` in turn (the last one from then on), recording bodies. */
async function serve(answers: { status: number; code?: string }[], bodies: string[]) {
  let n = 0;
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += String(d);
    });
    req.on("end", () => {
      bodies.push(body);
      const a = answers[Math.min(n++, answers.length - 1)]!;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (a.code !== undefined) headers["retry-after"] = "0";
      res.writeHead(a.status, headers);
      res.end(
        JSON.stringify(
          a.code === undefined ? { ok: true } : { error: { code: a.code, message: "not now" } },
        ),
      );
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe("apiRequest", () => {
  it("resends the same body after 503 node/overloaded and 429 api/rate_limited", async () => {
    const bodies: string[] = [];
    const url = await serve(
      [
        { status: 503, code: "node/overloaded" },
        { status: 429, code: "api/rate_limited" },
        { status: 202 },
      ],
      bodies,
    );
    expect(await apiRequest(url, "/v1/ballots", { tx: "abcd" })).toEqual({ ok: true });
    expect(bodies).toEqual(Array(3).fill(JSON.stringify({ tx: "abcd" })));
  });

  it("does not retry another 503", async () => {
    const bodies: string[] = [];
    const url = await serve([{ status: 503, code: "store/corrupt" }, { status: 202 }], bodies);
    await expect(apiRequest(url, "/v1/ballots", { tx: "abcd" })).rejects.toMatchObject({
      code: "store/corrupt",
    });
    expect(bodies).toHaveLength(1);
  });
});
