/**
 * Seeded fuzz of POST /v1/ballots on four in-process validators: random bytes, mutations of
 * valid ballot transactions (bit flips, truncations, extensions, byte substitutions,
 * splices) and random JSON shapes. The node never answers 500 and never crashes; every
 * refusal has the documented error shape; anything it accepts (202) is, byte for byte, a
 * ballot that verifies independently; and a valid ballot still commits afterwards.
 */
import fc from "fast-check";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../../../src/crypto/bytes.ts";
import { sha256 } from "../../../../src/crypto/hash.ts";
import { seededRng } from "../../../../src/election/rng.ts";
import {
  type BallotTx,
  decodeTransaction,
  encodeTransaction,
  signTransaction,
  txId,
} from "../../../../src/ledger/transactions.ts";
import { ballotTx } from "../../../../src/ledger/tx-builders.ts";
import type { ValidatorNode } from "../../../../src/node/validator-node.ts";
import { verifyTransactions } from "../../../../src/verify/verify-transactions.ts";
import {
  apiElection,
  type ElectionEnv,
  expectErrorShape,
  postTx,
  registerAndOpen,
  startAll,
  until,
} from "../../../support/api-cluster.ts";

const SEED = 20_260_517;
const RUNS = 400;

let env: ElectionEnv;
let nodes: ValidatorNode[] = [];
/** Valid ballot transactions, encrypted once. */
let valid: Uint8Array[] = [];
let castable: Uint8Array[] = [];
/** The ballot cast after the fuzz, which must commit. */
let after: Uint8Array;
const accepted = new Map<string, Uint8Array>();
const statuses = new Map<number, number>();
const codes = new Set<string>();

function ballot(voter: number, seq: number, choices: number[][]): Uint8Array {
  return ballotTx(
    env.ctx,
    env.setup.voters[voter]!,
    env.setup.voterDistricts[voter]!,
    choices,
    seq,
    seededRng(sha256(utf8(`ballot-fuzz/${voter}/${seq}`))),
  );
}

beforeAll(async () => {
  env = await apiElection({ voters: 3, seed: "api-ballot-fuzz" });
  nodes = await startAll(env);
  await registerAndOpen(env, nodes);
  // Bases to mutate: voters 0 and 1, never cast as they are, so a mutant is never stale.
  valid = [
    ballot(0, 500, [
      [1, 0, 0],
      [1, 1, 0, 0],
    ]),
    ballot(1, 500, [
      [0, 0, 1],
      [0, 0, 0, 1],
    ]),
  ];
  // Cast as they are: voter 2's ballots (accepted once, then duplicates or stale).
  castable = [
    ballot(2, 1, [
      [0, 0, 0],
      [0, 0, 0, 0],
    ]),
    ballot(2, 2, [
      [1, 0, 0],
      [0, 0, 1, 0],
    ]),
  ];
  after = ballot(2, 9, [
    [0, 1, 0],
    [0, 1, 0, 1],
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  env?.cleanup();
});

/** A request body for POST /v1/ballots, and the tx bytes it carries when it is one. */
interface Attempt {
  readonly request: InjectOptions;
  readonly node: number;
}

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "truncate"; keep: number }
  | { kind: "extend"; tail: Uint8Array }
  | { kind: "substitute"; at: number; value: number }
  | { kind: "splice"; at: number; remove: number; insert: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat() }),
  fc.record({
    kind: fc.constant("extend" as const),
    tail: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.record({
    kind: fc.constant("substitute" as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant("splice" as const),
    at: fc.nat(),
    remove: fc.integer({ min: 0, max: 8 }),
    insert: fc.uint8Array({ maxLength: 8 }),
  }),
);

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  switch (m.kind) {
    case "flip": {
      const out = Uint8Array.from(bytes);
      out[m.at % n]! ^= 1 << m.bit;
      return out;
    }
    case "truncate":
      return bytes.slice(0, m.keep % n);
    case "extend":
      return Uint8Array.from([...bytes, ...m.tail]);
    case "substitute": {
      const out = Uint8Array.from(bytes);
      out[m.at % n] = m.value;
      return out;
    }
    case "splice": {
      const at = m.at % n;
      return Uint8Array.from([
        ...bytes.subarray(0, at),
        ...m.insert,
        ...bytes.subarray(Math.min(n, at + m.remove)),
      ]);
    }
  }
}

const txBody = (bytes: Uint8Array) => ({ tx: toHex(bytes) });

/** Flip one bit of one 32-byte field of the encrypted ballot, then sign again as the voter. */
interface FieldFlip {
  which: number;
  contest: number;
  selection: number;
  /** 0 alpha, 1 beta, 2.. a selection proof's branch field; -1.. the contest proof's. */
  field: number;
  branch: number;
  at: number;
  bit: number;
}

const fieldFlip: fc.Arbitrary<FieldFlip> = fc.record({
  which: fc.integer({ min: 0, max: 1 }),
  contest: fc.nat(),
  selection: fc.nat(),
  field: fc.integer({ min: -4, max: 5 }),
  branch: fc.nat(),
  at: fc.integer({ min: 0, max: 31 }),
  bit: fc.integer({ min: 0, max: 7 }),
});

function resignedFlip(f: FieldFlip): Uint8Array {
  const tx = decodeTransaction(valid[f.which]!) as BallotTx;
  const contests = structuredClone(tx.ballot.contests) as BallotTx["ballot"]["contests"];
  const contest = contests[f.contest % contests.length]!;
  const names = ["a", "b", "c", "v"] as const;
  let target: Uint8Array;
  if (f.field < 0) {
    const branch = contest.proof[f.branch % contest.proof.length]!;
    target = branch[names[-f.field - 1]!];
  } else {
    const selection = contest.selections[f.selection % contest.selections.length]!;
    if (f.field === 0) target = selection.alpha;
    else if (f.field === 1) target = selection.beta;
    else target = selection.proof[f.branch % 2]![names[f.field - 2]!];
  }
  target[f.at]! ^= 1 << f.bit;
  const { sig: _sig, ...unsigned } = tx;
  return encodeTransaction(
    signTransaction<BallotTx>(
      { ...unsigned, ballot: { contests } },
      env.setup.voters[f.which]!.seed,
    ),
  );
}

const attempt: fc.Arbitrary<Attempt> = fc
  .tuple(
    fc.oneof(
      // Random bytes, as a well-formed hex body.
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 1500 }).map(txBody) },
      // One to four mutations of a valid ballot.
      {
        weight: 6,
        arbitrary: fc
          .tuple(fc.integer({ min: 0, max: 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
          .map(([which, ms]) => txBody(ms.reduce((b, m) => mutate(b, m), valid[which]!))),
      },
      // A bit flipped inside a point or scalar of the ballot, signed again by the voter:
      // only the proof check can refuse it.
      { weight: 2, arbitrary: fieldFlip.map((f) => txBody(resignedFlip(f))) },
      // The valid ballots themselves (accepted once, then duplicates).
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 }).map((i) => txBody(castable[i]!)) },
      // Random JSON shapes, sometimes with a tx field of any type.
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            tx: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 80 })),
            extra: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
      },
      // Raw text under a JSON content type: broken JSON.
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => ({ raw: s })) },
    ),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([body, node]) => {
    const raw =
      typeof body === "object" && body !== null && !Array.isArray(body) && "raw" in body
        ? (body as { raw: string }).raw
        : JSON.stringify(body === undefined ? null : body);
    return {
      node,
      request: {
        method: "POST",
        url: "/v1/ballots",
        headers: { "content-type": "application/json" },
        payload: raw,
      } satisfies InjectOptions,
    };
  });

function checkAccepted(res: LightMyRequestResponse, request: InjectOptions): void {
  const body = res.json() as Record<string, unknown>;
  const sent = JSON.parse(request.payload as string) as { tx: string };
  expect(Object.keys(sent)).toEqual(["tx"]);
  const bytes = fromHex(sent.tx);
  const tx = decodeTransaction(bytes);
  expect(tx.type).toBe("ballot");
  expect(verifyTransactions(env.ctx, [bytes]).map((v) => v.ok)).toEqual([true]);
  expect(body).toMatchObject({ id: toHex(txId(bytes)), type: "ballot", status: "pending" });
  accepted.set(toHex(txId(bytes)), bytes);
}

describe("POST /v1/ballots under fuzz", () => {
  it(`never crashes and never accepts an invalid ballot (${RUNS} seeded runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(attempt, async ({ request, node }) => {
        const res = await nodes[node]!.api.inject(request);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, res.body).not.toBe(500);
        if (res.statusCode === 422) codes.add(res.json().error.code);
        if (res.statusCode === 202) {
          checkAccepted(res, request);
          return;
        }
        expect([400, 409, 413, 415, 422, 503]).toContain(res.statusCode);
        expectErrorShape(res);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The fuzz reached past the JSON and CBOR layers into signature and proof checks.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 4);
    expect(statuses.get(422) ?? 0).toBeGreaterThan(RUNS / 10);
    expect(accepted.size).toBeGreaterThan(0);
    expect(codes).toContain("election/bad_proof");
    expect(codes).toContain("ledger/bad_signature");
  }, 120_000);

  it("keeps every validator healthy and still commits a valid ballot", async () => {
    for (const node of nodes) {
      expect(node.driver.failure).toBeUndefined();
      const health = await node.api.inject({ method: "GET", url: "/healthz" });
      expect(health.statusCode).toBe(200);
    }
    const res = await postTx(nodes[3]!, "/v1/ballots", after);
    expect(res.statusCode, res.body).toBe(202);
    const id = txId(after);
    await until("the ballot after the fuzz is committed everywhere", async () => {
      const found = await Promise.all(nodes.map((n) => n.replica.store.txLocation(id)));
      return found.every((l) => l !== undefined);
    });
    // Whatever the fuzz got accepted was a valid ballot: it is committed, or it was dropped
    // from the pool as superseded by a committed ballot of the same voter with a higher seq.
    for (const [hex, bytes] of accepted) {
      const tx = decodeTransaction(bytes) as BallotTx;
      expect(tx.type).toBe("ballot");
      const location = await nodes[0]!.replica.store.txLocation(fromHex(hex));
      if (location !== undefined) continue;
      const [record] = await nodes[0]!.replica.credentials([tx.credential]);
      expect(record?.seq ?? -1).toBeGreaterThanOrEqual(tx.seq);
    }
  });
});

describe("GET routes under fuzz", () => {
  it("never answer 500 to random path parameters and query strings", async () => {
    const segment = fc.string({ maxLength: 70, unit: "binary-ascii" }).map(encodeURIComponent);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          segment.map((s) => `/v1/ballots/${s}`),
          segment.map((s) => `/v1/ballots/${s}/receipt`),
          segment.map((s) => `/v1/blocks/${s}`),
          fc.tuple(segment, segment).map(([a, b]) => `/v1/blocks?from=${a}&limit=${b}`),
          fc.tuple(segment, segment).map(([a, b]) => `/v1/proofs/consistency?from=${a}&to=${b}`),
          fc
            .tuple(fc.nat(40), fc.nat(40))
            .map(([a, b]) => `/v1/proofs/consistency?from=${a}&to=${b}`),
        ),
        fc.integer({ min: 0, max: 3 }),
        async (url, node) => {
          const res = await nodes[node]!.api.inject({ method: "GET", url });
          expect(res.statusCode, `${url}: ${res.body}`).not.toBe(500);
          if (res.statusCode !== 200) expectErrorShape(res);
        },
      ),
      { seed: SEED, numRuns: 200, endOnFailure: true },
    );
  });
});
