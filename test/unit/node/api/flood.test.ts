/**
 * Floods over real loopback sockets against a validator with the default configuration (a
 * one-validator election, so it commits on its own): a flood of invalid POSTs from one
 * address is answered 429 beyond the address's budget while other addresses and the
 * operator's endpoints are still served; a batch costs one unit per transaction; and more
 * valid ballots than verification keeps up with (within the configured backlog bound) are
 * answered 503 node/overloaded with Retry-After instead of queueing without bound.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flood, httpRequest } from "../../../../bench/http-flood.ts";
import { toHex, utf8 } from "../../../../src/crypto/bytes.ts";
import { sha256 } from "../../../../src/crypto/hash.ts";
import { seededRng } from "../../../../src/election/rng.ts";
import {
  type BallotTx,
  decodeTransaction,
  encodeTransaction,
  signTransaction,
} from "../../../../src/ledger/transactions.ts";
import { ballotTx } from "../../../../src/ledger/tx-builders.ts";
import type { ValidatorNode } from "../../../../src/node/validator-node.ts";
import {
  apiElection,
  type ElectionEnv,
  expectErrorShape,
  registerAndOpen,
  startAll,
} from "../../../support/api-cluster.ts";
import { parseRawResponse, rawRequest } from "../../../support/raw-http.ts";

/** The defaults of src/node/config.ts this test relies on. */
const BURST = 1000;
const PER_SECOND = 100;

let env: ElectionEnv;
let node: ValidatorNode;
let port: number;

beforeAll(async () => {
  env = await apiElection({ validators: 1, voters: 1, seed: "api-flood" });
  [node] = (await startAll(env)) as [ValidatorNode];
  port = (node.api.server.address() as import("node:net").AddressInfo).port;
  await registerAndOpen(env, [node]);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  env?.cleanup();
});

/** Counts answers by status, and checks the shape and Retry-After of every 429 and 503. */
function tally() {
  const byStatus = new Map<number, number>();
  const codes = new Set<string>();
  return {
    byStatus,
    codes,
    onResponse(_i: number, status: number, raw: Buffer) {
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      if (status === 429 || status === 503) {
        const { response } = parseRawResponse(raw.toString("latin1"));
        codes.add(expectErrorShape(response, status).code);
        expect(response.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      }
    },
  };
}

describe("a flood against the default configuration", () => {
  it("answers 429 to one address's invalid POSTs beyond its budget, and serves others", async () => {
    const garbage = httpRequest("POST", "/v1/ballots", '{"tx":"00"}');
    const t = tally();
    const started = performance.now();
    const flooding = flood({
      host: "127.0.0.1",
      port,
      connections: 16,
      seconds: 30,
      localAddresses: ["127.0.0.11"],
      request: (i) => (i < 3000 ? garbage : undefined),
      onResponse: t.onResponse,
    });
    // Once the flooding address is refused, another address is still served, and the
    // operator's endpoints are open even to the flooding one.
    const until = performance.now() + 30_000;
    while ((t.byStatus.get(429) ?? 0) === 0 && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const status = "GET /v1/status HTTP/1.1\r\nHost: t\r\n\r\n";
    const other = await rawRequest(port, status, 5000, "127.0.0.12");
    const health = await rawRequest(
      port,
      "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
      5000,
      "127.0.0.11",
    );
    await flooding;
    const seconds = (performance.now() - started) / 1000;
    const served = t.byStatus.get(400) ?? 0;
    const limited = t.byStatus.get(429) ?? 0;
    expect(served + limited).toBe(3000);
    expect(served).toBeLessThanOrEqual(BURST + PER_SECOND * seconds + 16);
    expect(limited).toBeGreaterThan(0);
    expect([...t.codes]).toEqual(["api/rate_limited"]);
    expect(other.statusCode).toBe(200);
    expect(health.statusCode).toBe(200);
  }, 60_000);

  it("charges a batch one unit per transaction", async () => {
    const batch = JSON.stringify({ txs: Array.from({ length: 600 }, () => "00") });
    const post = () =>
      rawRequest(
        port,
        "POST /v1/transactions/batch HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" +
          `Content-Length: ${batch.length}\r\n\r\n${batch}`,
        5000,
        "127.0.0.13",
      );
    const first = await post();
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body).results).toHaveLength(600);
    // 400 units left (and 100 more a second): not enough for another 600.
    const error = expectErrorShape(await post(), 429, "api/rate_limited");
    expect(error.message).toContain("a batch one per transaction");
  }, 30_000);
});

/**
 * With the WebAssembly verifier a validator checks a ballot in about a millisecond, so the
 * default 2 s backlog bound takes thousands of ballots in flight at once to reach: more than
 * a unit test should open. This validator is configured with a 100 ms bound instead; 300
 * ballots in flight are several times that on any machine, so it must shed them.
 */
describe("a flood of valid ballots against a 100 ms backlog bound", () => {
  let env: ElectionEnv;
  let node: ValidatorNode;
  let port: number;

  beforeAll(async () => {
    env = await apiElection(
      { validators: 1, voters: 1, seed: "api-flood-backlog" },
      { overloadVerifyWaitMs: 100 },
    );
    [node] = (await startAll(env)) as [ValidatorNode];
    port = (node.api.server.address() as import("node:net").AddressInfo).port;
    await registerAndOpen(env, [node]);
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    env?.cleanup();
  });

  it("answers 503 node/overloaded to more valid ballots than verification keeps up with", async () => {
    const voter = env.setup.voters[0]!;
    const encrypted = decodeTransaction(
      ballotTx(
        env.ctx,
        voter,
        0,
        [
          [1, 0, 0],
          [0, 1, 1, 0],
        ],
        1,
        seededRng(sha256(utf8("api-flood/ballot"))),
      ),
    ) as BallotTx;
    const { sig: _sig, ...unsigned } = encrypted;
    // The same encryption signed again with a higher seq is another valid ballot, which the
    // node must verify in full.
    const requests = Array.from({ length: 900 }, (_, i) =>
      httpRequest(
        "POST",
        "/v1/ballots",
        JSON.stringify({
          tx: toHex(
            encodeTransaction(signTransaction<BallotTx>({ ...unsigned, seq: i + 1 }, voter.seed)),
          ),
        }),
      ),
    );
    const t = tally();
    // 300 at once, from 10 addresses: each address stays within its budget, so what refuses
    // them is the node's backlog, not a client's rate.
    await flood({
      host: "127.0.0.1",
      port,
      connections: 300,
      seconds: 60,
      localAddresses: Array.from({ length: 10 }, (_, k) => `127.0.2.${k + 1}`),
      request: (i) => requests[i],
      onResponse: t.onResponse,
    });
    const statuses = Object.fromEntries(t.byStatus);
    expect(Object.keys(statuses).every((s) => ["202", "409", "503"].includes(s))).toBe(true);
    expect(statuses[202]).toBeGreaterThan(0);
    expect(statuses[503]).toBeGreaterThan(0);
    expect([...t.codes]).toEqual(["node/overloaded"]);
  }, 120_000);
});
