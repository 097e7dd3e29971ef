/**
 * Malformed and hostile requests against four in-process validators (through app.inject()):
 * each gets the documented status and a stable error code in `{ error: { code, message } }`,
 * and nothing reaches a 500. A second election, of which only one validator runs (so nothing
 * ever commits) with a one-transaction pending pool, gives "another election" and "pool full".
 */
import { decode as cborDecode, encode as cborEncode } from "cborg";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../../../src/crypto/ed25519.ts";
import { sha256 } from "../../../../src/crypto/hash.ts";
import { seededRng } from "../../../../src/election/rng.ts";
import { trackingCode } from "../../../../src/election/tracking-code.ts";
import { emptyTally } from "../../../../src/ledger/ballot-crypto.ts";
import {
  type BallotTx,
  decodeTransaction,
  encodeTransaction,
  signTransaction,
  txId,
} from "../../../../src/ledger/transactions.ts";
import { ballotTx, decryptionTx } from "../../../../src/ledger/tx-builders.ts";
import type { ValidatorNode } from "../../../../src/node/validator-node.ts";
import {
  apiElection,
  type ElectionEnv,
  expectErrorShape,
  postTx,
  registerAndOpen,
  startAll,
  until,
} from "../../../support/api-cluster.ts";
import { startNode } from "../../../support/cluster.ts";
import { approvalTx, extensionTx } from "../../../support/election-fixture.ts";

let env: ElectionEnv;
let nodes: ValidatorNode[] = [];
/** Election B: only validator 0 runs, with mempoolMaxTxs 1. */
let other: ElectionEnv;
let lone: ValidatorNode | undefined;

/** The answer to a ballot posted before the commission approved the manifest (captured in beforeAll). */
let beforeOpen: Awaited<ReturnType<typeof postTx>>;
/** Ballots and transactions built once (encryption is the slow part). */
const txs: Record<string, Uint8Array> = {};

const CHOICES = [
  [1, 0, 0],
  [0, 1, 1, 0],
];

function ballotFor(e: ElectionEnv, voter: number, seq: number, label: string): Uint8Array {
  return ballotTx(
    e.ctx,
    e.setup.voters[voter]!,
    e.setup.voterDistricts[voter]!,
    CHOICES,
    seq,
    seededRng(sha256(utf8(`bad-input/${label}`))),
  );
}

function flip(bytes: Uint8Array, at: number, mask = 1): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at]! ^= mask;
  return out;
}

function replaceOnce(bytes: Uint8Array, find: number[], replace: number[]): Uint8Array {
  for (let i = 0; i + find.length <= bytes.length; i++) {
    if (find.every((b, j) => bytes[i + j] === b)) {
      return Uint8Array.from([
        ...bytes.subarray(0, i),
        ...replace,
        ...bytes.subarray(i + find.length),
      ]);
    }
  }
  throw new Error("pattern not found");
}

beforeAll(async () => {
  [env, other] = await Promise.all([
    apiElection({ voters: 3, seed: "api-bad-input" }),
    apiElection(
      { voters: 2, seed: "api-bad-input-other" },
      { mempoolMaxTxs: 1, rateLimitPerMinute: 8, rateLimitBurst: 8 },
    ),
  ]);
  nodes = await startAll(env);
  const { ctx, setup } = env;
  txs.early = ballotFor(env, 0, 1, "early");
  beforeOpen = await postTx(nodes[0]!, "/v1/ballots", txs.early);

  await registerAndOpen(env, nodes);

  txs.valid = ballotFor(env, 0, 2, "valid");
  txs.unknownField = ballotFor(env, 1, 1, "unknown-field");
  txs.duplicate = ballotFor(env, 2, 1, "duplicate");

  const base = decodeTransaction(ballotFor(env, 1, 5, "base")) as BallotTx;
  txs.badSignature = encodeTransaction({ ...base, sig: flip(base.sig, 7) });
  // Flip the low byte of one proof response (still a canonical scalar), then sign again with
  // the voter's own key: the signature holds, the proof does not.
  const contest0 = base.ballot.contests[0]!;
  const branch = contest0.selections[0]!.proof[0]!;
  const tampered: BallotTx = {
    ...base,
    ballot: {
      contests: [
        {
          ...contest0,
          selections: [
            {
              ...contest0.selections[0]!,
              proof: [{ ...branch, v: flip(branch.v, 0) }, contest0.selections[0]!.proof[1]!],
            },
            ...contest0.selections.slice(1),
          ],
        },
        ...base.ballot.contests.slice(1),
      ],
    },
  };
  const { sig: _sig, ...unsigned } = tampered;
  // A valid ballot of voter 1 whose id's 10th byte is 0xff (the last byte of the tracking
  // code's prefix): only the seq changes, so only the signature is redone.
  for (let seq = 100; ; seq++) {
    const { sig: _s, ...body } = base;
    const bytes = encodeTransaction(
      signTransaction<BallotTx>({ ...body, seq }, setup.voters[1]!.seed),
    );
    if (txId(bytes)[9] === 0xff) {
      txs.ffPrefix = bytes;
      break;
    }
  }
  txs.badProof = encodeTransaction(signTransaction<BallotTx>(unsigned, setup.voters[1]!.seed));

  const stranger = keyPairFromSeed(sha256(utf8("bad-input/stranger")));
  txs.unknownCredential = ballotTx(ctx, stranger, 0, CHOICES, 1, seededRng(sha256(utf8("s"))));
  txs.otherElection = ballotFor(other, 0, 1, "other");
  txs.decryptionEarly = decryptionTx(
    ctx,
    setup.trustees[0]!,
    0,
    emptyTally(ctx.districtCrypto[0]!),
  );
  txs.extension = extensionTx(setup, setup.manifest.schedule.closesAt + 1);

  // Non-canonical encodings of one valid ballot.
  const raw = cborDecode(txs.valid) as Record<string, unknown>;
  const reversed = Object.fromEntries(Object.entries(raw).reverse());
  txs.unsortedKeys = cborEncode(reversed, { mapSorter: () => 0 });
  txs.trailing = Uint8Array.from([...txs.valid, 0x00]);
  txs.floatSeq = cborEncode({ ...raw, seq: 2.5 });
  // "seq": 2 written as a one-byte-argument integer (0x18 0x02) instead of 0x02.
  txs.nonMinimalInt = replaceOnce(
    txs.valid,
    [0x63, 0x73, 0x65, 0x71, 0x02],
    [0x63, 0x73, 0x65, 0x71, 0x18, 0x02],
  );
  txs.indefinite = Uint8Array.from([0xbf, ...txs.valid.subarray(1), 0xff]);

  lone = await startNode(other.dir, 0, other.ports, other.setup.validators.length);
}, 90_000);

afterAll(async () => {
  await Promise.all([...nodes, ...(lone ? [lone] : [])].map((n) => n.stop()));
  env?.cleanup();
  other?.cleanup();
});

interface Case {
  name: string;
  request: () => InjectOptions;
  status: number;
  code: string;
}

const hexOf = (name: string) => () => toHex(txs[name]!);
const postBallot =
  (tx: () => unknown, url = "/v1/ballots"): (() => InjectOptions) =>
  () => ({ method: "POST", url, payload: { tx: tx() } as Record<string, unknown> });
const get = (url: string) => (): InjectOptions => ({ method: "GET", url });

const MAX_TX_BYTES = 64 * 1024;

const CASES: Case[] = [
  // ---- the JSON envelope
  {
    name: "malformed JSON",
    request: () => ({
      method: "POST",
      url: "/v1/ballots",
      headers: { "content-type": "application/json" },
      payload: '{"tx": "00"',
    }),
    status: 400,
    code: "api/malformed_json",
  },
  {
    name: "empty JSON body",
    request: () => ({
      method: "POST",
      url: "/v1/ballots",
      headers: { "content-type": "application/json" },
      payload: "",
    }),
    status: 400,
    code: "api/malformed_json",
  },
  {
    name: "wrong content type (application/xml)",
    request: () => ({
      method: "POST",
      url: "/v1/ballots",
      headers: { "content-type": "application/xml" },
      payload: "<tx>00</tx>",
    }),
    status: 415,
    code: "api/unsupported_media_type",
  },
  {
    name: "wrong content type (text/plain, a hex string)",
    request: () => ({
      method: "POST",
      url: "/v1/ballots",
      headers: { "content-type": "text/plain" },
      payload: toHex(txs.valid!),
    }),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "form-encoded body",
    request: () => ({
      method: "POST",
      url: "/v1/ballots",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `tx=${toHex(txs.valid!)}`,
    }),
    status: 415,
    code: "api/unsupported_media_type",
  },
  {
    name: "tx is a number",
    request: postBallot(() => 12),
    status: 400,
    code: "api/invalid_request",
  },
  { name: "tx is null", request: postBallot(() => null), status: 400, code: "api/invalid_request" },
  {
    name: "tx is an array",
    request: postBallot(() => ["00"]),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "tx is an object",
    request: postBallot(() => ({ hex: "00" })),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "body is a JSON array",
    request: () => ({ method: "POST", url: "/v1/ballots", payload: [toHex(txs.valid!)] }),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "body is a JSON string",
    request: () => ({
      method: "POST",
      url: "/v1/ballots",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify(toHex(txs.valid!)),
    }),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "missing tx",
    request: () => ({ method: "POST", url: "/v1/ballots", payload: {} }),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "misspelled tx",
    request: () => ({ method: "POST", url: "/v1/ballots", payload: { Tx: toHex(txs.valid!) } }),
    status: 400,
    code: "api/invalid_request",
  },
  {
    // A valid ballot beside an unknown field: stripping the field would accept it.
    name: "unknown field next to a valid tx",
    request: () => ({
      method: "POST",
      url: "/v1/ballots",
      payload: { tx: toHex(txs.unknownField!), priority: "high" },
    }),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "unknown field on /v1/transactions",
    request: () => ({
      method: "POST",
      url: "/v1/transactions",
      payload: { tx: toHex(txs.unknownField!), extra: null },
    }),
    status: 400,
    code: "api/invalid_request",
  },
  // ---- the hex
  {
    name: "non-hex tx",
    request: postBallot(() => "zz00"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "odd-length hex",
    request: postBallot(() => "abc"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "uppercase hex",
    request: postBallot(() => toHex(txs.valid!).toUpperCase()),
    status: 400,
    code: "api/invalid_request",
  },
  { name: "empty hex", request: postBallot(() => ""), status: 400, code: "api/invalid_request" },
  {
    name: "hex with a 0x prefix",
    request: postBallot(() => `0x${toHex(txs.valid!)}`),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "hex with whitespace",
    request: postBallot(() => ` ${toHex(txs.valid!)}\n`),
    status: 400,
    code: "api/invalid_request",
  },
  // ---- sizes
  {
    name: "body over the limit",
    request: postBallot(() => "00".repeat(200 * 1024)),
    status: 413,
    code: "api/body_too_large",
  },
  {
    name: "tx one byte over MAX_TX_BYTES",
    request: postBallot(() => "00".repeat(MAX_TX_BYTES + 1)),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "tx of exactly MAX_TX_BYTES of garbage",
    request: postBallot(() => "a1".repeat(MAX_TX_BYTES)),
    status: 400,
    code: "codec/malformed",
  },
  // ---- the CBOR
  {
    name: "not CBOR at all",
    request: postBallot(() => "ff"),
    status: 400,
    code: "codec/malformed",
  },
  {
    name: "CBOR of the wrong shape (an integer)",
    request: postBallot(() => "01"),
    status: 400,
    code: "codec/invalid_field",
  },
  {
    name: "truncated ballot",
    request: postBallot(() => toHex(txs.valid!.subarray(0, txs.valid!.length - 1))),
    status: 400,
    code: "codec/malformed",
  },
  {
    name: "unsorted map keys",
    request: postBallot(hexOf("unsortedKeys")),
    status: 400,
    code: "codec/non_canonical",
  },
  {
    name: "trailing bytes",
    request: postBallot(hexOf("trailing")),
    status: 400,
    code: "codec/malformed",
  },
  { name: "a float", request: postBallot(hexOf("floatSeq")), status: 400, code: "codec/float" },
  {
    name: "non-minimal integer",
    request: postBallot(hexOf("nonMinimalInt")),
    status: 400,
    code: "codec/malformed",
  },
  {
    name: "indefinite-length map",
    request: postBallot(hexOf("indefinite")),
    status: 400,
    code: "codec/malformed",
  },
  // ---- ledger and election rules
  {
    name: "a ballot of another election",
    request: postBallot(hexOf("otherElection")),
    status: 422,
    code: "ledger/wrong_election",
  },
  {
    name: "bad signature",
    request: postBallot(hexOf("badSignature")),
    status: 422,
    code: "ledger/bad_signature",
  },
  {
    name: "unknown credential",
    request: postBallot(hexOf("unknownCredential")),
    status: 422,
    code: "ledger/unknown_credential",
  },
  {
    name: "invalid proof, re-signed",
    request: postBallot(hexOf("badProof")),
    status: 422,
    code: "election/bad_proof",
  },
  {
    name: "a decryption before the polls close",
    request: postBallot(hexOf("decryptionEarly"), "/v1/transactions"),
    status: 409,
    code: "ledger/wrong_phase",
  },
  {
    name: "a commission extension posted to /v1/ballots",
    request: postBallot(hexOf("extension")),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "a decryption posted to /v1/ballots",
    request: postBallot(hexOf("decryptionEarly")),
    status: 400,
    code: "api/invalid_request",
  },
  // ---- routes and path parameters
  { name: "unknown route", request: get("/v1/nothing"), status: 404, code: "api/not_found" },
  // "/" is the web app; a file it does not have is the API's JSON 404.
  { name: "unknown page", request: get("/no-such-page.html"), status: 404, code: "api/not_found" },
  { name: "path escape", request: get("/../package.json"), status: 404, code: "api/not_found" },
  {
    name: "wrong method",
    request: () => ({ method: "DELETE", url: "/v1/ballots" }),
    status: 404,
    code: "api/not_found",
  },
  {
    name: "POST to a GET route",
    request: () => ({ method: "POST", url: "/v1/status", payload: {} }),
    status: 404,
    code: "api/not_found",
  },
  { name: "/v1 prefix missing", request: get("/ballots"), status: 404, code: "api/not_found" },
  {
    name: "/v1/blocks/-1",
    request: get("/v1/blocks/-1"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks/abc",
    request: get("/v1/blocks/abc"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks/01",
    request: get("/v1/blocks/01"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks/1.5",
    request: get("/v1/blocks/1.5"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks/1e3",
    request: get("/v1/blocks/1e3"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks/<20 digits>",
    request: get("/v1/blocks/99999999999999999999"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks beyond the head",
    request: get("/v1/blocks/999999"),
    status: 404,
    code: "node/not_found",
  },
  {
    name: "/v1/ballots/<not hex, not a code>",
    request: get("/v1/ballots/not-a-ballot"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/ballots/<tracking code with a bad check symbol>",
    request: () => {
      const code = trackingCode(txId(txs.valid!));
      const check = code.at(-1) === "0" ? "1" : "0";
      return { method: "GET", url: `/v1/ballots/${code.slice(0, -1)}${check}` };
    },
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/ballots/<65 hex digits>",
    request: get(`/v1/ballots/${"a".repeat(65)}`),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/ballots/<uppercase id>",
    request: () => ({ method: "GET", url: `/v1/ballots/${toHex(txId(txs.valid!)).toUpperCase()}` }),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/ballots/<unknown id>",
    request: get(`/v1/ballots/${"0".repeat(64)}`),
    status: 404,
    code: "node/not_found",
  },
  {
    name: "/v1/ballots/<unknown tracking code>",
    request: () => ({
      method: "GET",
      url: `/v1/ballots/${trackingCode(new Uint8Array(32).fill(0xee))}`,
    }),
    status: 404,
    code: "node/not_found",
  },
  {
    name: "/v1/credentials/<unknown key>",
    request: get(`/v1/credentials/${"ab".repeat(32)}`),
    status: 404,
    code: "node/not_found",
  },
  {
    name: "/v1/credentials/<31 bytes>",
    request: get(`/v1/credentials/${"ab".repeat(31)}`),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/credentials/<uppercase key>",
    request: () => ({
      method: "GET",
      url: `/v1/credentials/${toHex(env.setup.voters[0]!.publicKey).toUpperCase()}`,
    }),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/credentials/<not hex>",
    request: get(`/v1/credentials/${"zz".repeat(32)}`),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "receipt of an unknown ballot",
    request: get(`/v1/ballots/${"0".repeat(64)}/receipt`),
    status: 404,
    code: "node/not_found",
  },
  {
    name: "receipt with a bad id",
    request: get("/v1/ballots/%00/receipt"),
    status: 400,
    code: "api/invalid_request",
  },
  // ---- query strings
  {
    name: "/v1/blocks without from",
    request: get("/v1/blocks"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks?from=abc",
    request: get("/v1/blocks?from=abc"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks?from=-1",
    request: get("/v1/blocks?from=-1"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks limit=0",
    request: get("/v1/blocks?from=0&limit=0"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks limit=1000",
    request: get("/v1/blocks?from=0&limit=1000"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks unknown param",
    request: get("/v1/blocks?from=0&format=xml"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "/v1/blocks from given twice",
    request: get("/v1/blocks?from=0&from=1"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "consistency from > to",
    request: get("/v1/proofs/consistency?from=2&to=1"),
    status: 400,
    code: "store/bad_range",
  },
  {
    name: "consistency to beyond the log",
    request: get("/v1/proofs/consistency?from=1&to=999999"),
    status: 400,
    code: "store/bad_range",
  },
  {
    name: "consistency from=0",
    request: get("/v1/proofs/consistency?from=0&to=1"),
    status: 400,
    code: "store/bad_range",
  },
  {
    name: "consistency without to",
    request: get("/v1/proofs/consistency?from=1"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "consistency to=abc",
    request: get("/v1/proofs/consistency?from=1&to=abc"),
    status: 400,
    code: "api/invalid_request",
  },
  {
    name: "consistency unknown param",
    request: get("/v1/proofs/consistency?from=1&to=1&x=1"),
    status: 400,
    code: "api/invalid_request",
  },
];

describe("malformed and hostile requests", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const node = nodes[CASES.indexOf(c) % nodes.length]!;
    const res = await node.api.inject(c.request());
    expectErrorShape(res, c.status, c.code);
  });

  it("answers 200 to a route without a query schema whatever the query string", async () => {
    const res = await nodes[0]!.api.inject(get("/v1/status?verbose=1")());
    expect(res.statusCode).toBe(200);
  });

  it("did not accept the ballot sent with an unknown field", async () => {
    const id = toHex(txId(txs.unknownField!));
    for (const node of nodes) {
      expectErrorShape(await node.api.inject(get(`/v1/ballots/${id}`)()), 404, "node/not_found");
    }
  });

  it("refuses a ballot before the commission approved the manifest", () => {
    expectErrorShape(beforeOpen, 409, "ledger/not_approved");
  });

  it("refuses a duplicate while pending and once committed", async () => {
    const first = await postTx(nodes[0]!, "/v1/ballots", txs.duplicate!);
    expect(first.statusCode).toBe(202);
    const again = await postTx(nodes[0]!, "/v1/ballots", txs.duplicate!);
    // Committing in between is possible but unlikely; either answer is a 409 duplicate.
    const error = expectErrorShape(again, 409);
    expect(["mempool/duplicate", "ledger/duplicate_tx"]).toContain(error.code);
    const id = txId(txs.duplicate!);
    await until("duplicate test ballot committed", async () =>
      nodes.every((n) => n.replica.store.txLocation(id).then((l) => l !== undefined)),
    );
    await until("committed everywhere", async () => {
      const found = await Promise.all(nodes.map((n) => n.replica.store.txLocation(id)));
      return found.every((l) => l !== undefined);
    });
    for (const node of nodes) {
      expectErrorShape(
        await postTx(node, "/v1/ballots", txs.duplicate!),
        409,
        "ledger/duplicate_tx",
      );
    }
  });

  it("/v1/blocks from beyond the head is an empty page", async () => {
    const res = await nodes[0]!.api.inject(get("/v1/blocks?from=999999")());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ blocks: [], next: null });
  });

  it("answers 503 with Retry-After when the pending pool is full", async () => {
    const node = lone!;
    const { setup } = other;
    // Nothing commits here, so the only transactions a precheck passes are the commission's.
    const approve = approvalTx(setup);
    expect((await postTx(node, "/v1/transactions", approve)).statusCode).toBe(202);
    expect(node.mempool.size).toBe(1);
    const res = await postTx(
      node,
      "/v1/transactions",
      extensionTx(setup, setup.manifest.schedule.closesAt + 1),
    );
    expectErrorShape(res, 503, "mempool/full");
    expect(res.headers["retry-after"]).toMatch(/^\d+$/);
    // A duplicate of what is pending is still named as one, not as "full".
    expectErrorShape(await postTx(node, "/v1/transactions", approve), 409, "mempool/duplicate");
  });

  it("answers 429 api/rate_limited past the per-client rate limit", async () => {
    // The lone node allows a burst of 8 requests, then 8 a minute; the pool test above used 3.
    let res = await lone!.api.inject(get("/v1/status")());
    for (let i = 0; i < 10 && res.statusCode === 200; i++) {
      res = await lone!.api.inject(get("/v1/status")());
    }
    expectErrorShape(res, 429, "api/rate_limited");
    expect(res.headers["retry-after"]).toMatch(/^\d+$/);
    // Health and metrics stay reachable for the operator.
    expect((await lone!.api.inject(get("/metrics")())).statusCode).toBe(200);
    expect((await lone!.api.inject(get("/openapi.json")())).statusCode).toBe(200);
  });

  // Regression: the tracking-code prefix scan once built its upper bound by adding 1 to the
  // prefix's last byte without a carry, so prefixes ending in 0xff (1 ballot in 256) were
  // never found.
  it("finds a committed ballot by a tracking code whose prefix ends in 0xff", async () => {
    const id = txId(txs.ffPrefix!);
    expect((await postTx(nodes[1]!, "/v1/ballots", txs.ffPrefix!)).statusCode).toBe(202);
    await until("0xff ballot committed", async () => {
      const found = await Promise.all(nodes.map((n) => n.replica.store.txLocation(id)));
      return found.every((l) => l !== undefined);
    });
    const byId = await nodes[0]!.api.inject(get(`/v1/ballots/${toHex(id)}`)());
    expect(byId.json()).toMatchObject({ status: "committed" });
    const byCode = await nodes[0]!.api.inject(get(`/v1/ballots/${trackingCode(id)}`)());
    expect({ status: byCode.statusCode, body: byCode.json() }).toMatchObject({
      status: 200,
      body: { id: toHex(id), status: "committed" },
    });
  });

  it("still commits a valid ballot after all of this", async () => {
    const res = await postTx(nodes[2]!, "/v1/ballots", txs.valid!);
    expect(res.statusCode).toBe(202);
    const body = res.json() as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["id", "status", "trackingCode", "type"]);
    expect(body).toMatchObject({ id: toHex(txId(txs.valid!)), type: "ballot", status: "pending" });
    await until("valid ballot committed", async () => {
      const r = await nodes[0]!.api.inject(get(`/v1/ballots/${body.trackingCode}`)());
      return r.statusCode === 200 && r.json().status === "committed";
    });
  });
});

describe("operational endpoints", () => {
  it("GET /openapi.json lists every route", async () => {
    const res = await nodes[0]!.api.inject(get("/openapi.json")());
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const expected: [string, string][] = [
      ["/v1/ballots", "post"],
      ["/v1/transactions", "post"],
      ["/v1/ballots/{id}", "get"],
      ["/v1/transactions/{id}", "get"],
      ["/v1/ballots/{id}/receipt", "get"],
      ["/v1/blocks/{height}", "get"],
      ["/v1/blocks", "get"],
      ["/v1/election", "get"],
      ["/v1/status", "get"],
      ["/v1/results", "get"],
      ["/v1/tally", "get"],
      ["/v1/credentials/{key}", "get"],
      ["/v1/proofs/consistency", "get"],
      ["/metrics", "get"],
      ["/healthz", "get"],
    ];
    for (const [path, method] of expected) {
      expect(doc.paths[path], `${method} ${path}`).toBeDefined();
      expect(doc.paths[path]![method], `${method} ${path}`).toBeDefined();
    }
    // The submit body is documented with its hex pattern, and errors with the Error schema.
    const submit = JSON.stringify(doc.paths["/v1/ballots"]!.post);
    expect(submit).toContain("^([0-9a-f]{2})+$");
    expect(submit).toContain("413");
  });

  it("GET /metrics is Prometheus text with the ledger height", async () => {
    const res = await nodes[0]!.api.inject(get("/metrics")());
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^# HELP saylau_ledger_height_blocks /m);
    expect(res.body).toMatch(/^# TYPE saylau_ledger_height_blocks gauge$/m);
    const height = Number(/^saylau_ledger_height_blocks (\d+)$/m.exec(res.body)?.[1]);
    expect(height).toBeGreaterThanOrEqual(2);
  });

  it("GET /healthz is 200 and names the height", async () => {
    const res = await nodes[1]!.api.inject(get("/healthz")());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true });
    expect(res.json().detail).toMatch(/height \d+/);
  });
});

// Runs after the ballots above committed: voters 0, 1 and 2 each have a counted ballot.
describe("the views of manifest v2", () => {
  it("GET /v1/credentials/:key gives a registered credential's district and standing", async () => {
    const key = toHex(env.setup.voters[0]!.publicKey);
    const res = await nodes[1]!.api.inject(get(`/v1/credentials/${key}`)());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      credential: key,
      district: 0,
      districtId: "D1",
      region: "R1",
      revoked: false,
      seq: 2,
      ballotId: toHex(txId(txs.valid!)),
    });
  });

  it("GET /v1/election has the schedule, the commission, regions with districts and styles, and scopes", async () => {
    const { manifest } = env.setup;
    const res = await nodes[2]!.api.inject(get("/v1/election")());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.schedule).toEqual(manifest.schedule);
    expect(body.commission).toEqual({ threshold: 1, members: ["member-0"] });
    expect(body.regions).toEqual([
      {
        id: "R1",
        name: "Region 1",
        registrar: toHex(env.setup.registrars[0]!.publicKey),
        districts: [{ index: 0, id: "D1", name: "District 1", style: [0, 1] }],
      },
    ]);
    expect(body.contests.map((c: { scope: unknown }) => c.scope)).toEqual([
      { level: "national", index: 0 },
      { level: "national", index: 0 },
    ]);
  });

  it("GET /v1/results and /v1/tally are per district, with nothing decrypted while the polls are open", async () => {
    const results = (await nodes[0]!.api.inject(get("/v1/results")())).json();
    expect(results).toMatchObject({
      phase: "open",
      closesAt: env.setup.manifest.schedule.closesAt,
      credentials: 3,
      revoked: 0,
      voters: 3,
      threshold: 2,
      complete: false,
      districts: [
        {
          index: 0,
          id: "D1",
          name: "District 1",
          region: "R1",
          credentials: 3,
          revoked: 0,
          voters: 3,
          decryptions: [],
          decrypted: false,
        },
      ],
    });
    expect(results.contests).toHaveLength(2);
    expect(results.contests[0]).toMatchObject({
      index: 0,
      label: "Mayor",
      scope: { level: "national", id: "national" },
      districts: [{ id: "D1", counts: null }],
      regions: [{ id: "R1", counts: null }],
      total: null,
    });
    const tally = (await nodes[0]!.api.inject(get("/v1/tally")())).json();
    expect(Object.keys(tally).sort()).toEqual(["closesAt", "districts", "height", "phase"]);
    expect(tally.districts).toHaveLength(1);
    expect(tally.districts[0]).toMatchObject({
      index: 0,
      id: "D1",
      ballotCount: 3,
      decryptions: [],
      decrypted: false,
    });
    expect(tally.districts[0].tally).toMatch(/^([0-9a-f]{2})+$/);
  });
});
