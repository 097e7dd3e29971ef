/**
 * Catch-up of a fresh validator: replaying the chain from genesis against state sync from a
 * snapshot, in the same run on the same chain.
 *
 *   npx node bench/catch-up.ts [ballots=300] [extraRecords=100000] [perBlock=50]
 *                              [--shape fixture|yes-no]
 *
 * 1. Builds an election of `ballots` voters who each cast one real ballot, certified block by
 *    block by 3 of 4 validators, and commits it into a serving validator's store. The
 *    ballot's shape: `fixture` (two contests: 3 options limit 1, 4 options limit 2) or
 *    `yes-no` (one contest of two options, a referendum: the cheapest real ballot, which
 *    makes 100,000 of them affordable here). Ballots are made in worker threads and cached
 *    (bench/ballot-cache.ts); building the chain trusts them (the replay verifies them all).
 * 2. Replay: a fresh store takes every block as a validator's block sync delivers it
 *    (BlockBuilder's path: the ballot proofs through the VerifyPool, one worker per core,
 *    then LedgerReplica.validate and commit), then opens with the start-up store check.
 * 3. Snapshot: `stateSync` fetches the serving store's snapshot over loopback HTTP (the real
 *    routes and SnapshotServer), verifies it, writes it; then the store opens with the same
 *    check. Taking the snapshot on the server is timed apart (once per 100 blocks).
 * 4. With extraRecords > 0, the same with `extraRecords` more credential records in the serving store: synthetic
 *    keys, each with the encoded record of a real voter with a counted ballot (its real
 *    size), because real ballots cost far too long to make here (~0.3 s each under load).
 *    The snapshot path's cost depends on the records' number and size, not on where they
 *    came from. Replay of that many ballots is extrapolated from the measured per-ballot
 *    rate of step 2 (it is linear: every ballot's proofs are verified once), and labelled so.
 *
 * Step 3 checks the records against the certified state's own credential lattice, as a
 * validator does. In step 4 the synthetic records are not in any certified state, so the
 * digest checked against is computed from the serving store's records instead: the same
 * work (one lattice hash over every record, one comparison), labelled so in the table.
 * Following the blocks above the snapshot is the same for both paths and is not measured.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Fastify from "fastify";
import pino from "pino";
import { encodeCertificate } from "../src/consensus/certificate.ts";
import { commitStatement } from "../src/consensus/statements.ts";
import { toHex, utf8 } from "../src/crypto/bytes.ts";
import { sign } from "../src/crypto/ed25519.ts";
import { sha256, TAG, taggedHash } from "../src/crypto/hash.ts";
import { seededRng } from "../src/election/rng.ts";
import { type Block, decodeBlock, encodeBlock, headerHash } from "../src/ledger/block.ts";
import { ledgerContext } from "../src/ledger/context.ts";
import { credentialsLatticeHash } from "../src/ledger/credentials-digest.ts";
import { createElection } from "../src/ledger/election-setup.ts";
import { MemoryLedger } from "../src/ledger/memory-ledger.ts";
import { keys, PREFIX } from "../src/ledger/store/keys.ts";
import type { LedgerStore } from "../src/ledger/store/ledger-store.ts";
import { txId } from "../src/ledger/transactions.ts";
import { commissionDecision, commissionTx, registerTx } from "../src/ledger/tx-builders.ts";
import { errorSchema } from "../src/node/api/schemas.ts";
import { registerSnapshotRoutes } from "../src/node/api/snapshot-routes.ts";
import { LedgerReplica } from "../src/node/ledger-replica.ts";
import { openLedger } from "../src/node/open-ledger.ts";
import { stateSync } from "../src/node/state-sync.ts";
import { SnapshotServer } from "../src/node/state-sync-serve.ts";
import { VerifyPool } from "../src/verify/verify-pool.ts";
import { cachedBallots } from "./ballot-cache.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { shape: { type: "string", default: "fixture" } },
});
const [ballots = 300, extraRecords = 100_000, perBlock = 50] = positionals.map(Number);
const SHAPES = {
  fixture: [
    { label: "Mayor", options: ["A", "B", "C"], limit: 1 },
    { label: "Council", options: ["E", "F", "G", "H"], limit: 2 },
  ],
  "yes-no": [{ label: "Referendum", options: ["Yes", "No"], limit: 1 }],
};
const shape = values.shape as keyof typeof SHAPES;
if (SHAPES[shape] === undefined) throw new Error(`--shape is fixture or yes-no, not ${shape}`);
const say = (line: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const root = mkdtempSync(join(tmpdir(), "saylau-catch-up-"));
const log = pino({ level: "silent" });
const s = (ms: number) => (ms / 1000).toFixed(2);

// 1. The chain.
const setup = createElection({
  name: "Catch-up benchmark",
  createdAt: 1_780_000_000_000,
  seed: sha256(utf8(shape === "fixture" ? "bench/catch-up" : `bench/catch-up/${shape}`)),
  validators: 4,
  trustees: 3,
  threshold: 2,
  voters: ballots,
  contests: SHAPES[shape],
});
const ctx = ledgerContext(setup.manifestBytes);
const ledger = new MemoryLedger(ctx);
const entries: { block: Block; certificate: Uint8Array }[] = [];

// The bench's own ballots, trusted while the chain is built (the replay verifies each).
const trusted = new Set<string>();
function commit(txs: Uint8Array[]): void {
  const options = { verified: trusted };
  const next = ledger.propose(txs, 1_780_000_100_000 + ledger.tip.header.height * 1000, 0, options);
  if (next.rejected.length > 0) throw next.rejected[0]!.error;
  ledger.commit(next.block, options);
  const h = next.block.header;
  const blockHash = headerHash(h);
  const statement = commitStatement(setup.electionId, h.height, 0, blockHash);
  entries.push({
    block: next.block,
    certificate: encodeCertificate({
      height: h.height,
      view: 0,
      blockHash,
      signatures: [0, 1, 2].map((v) => ({
        validator: v,
        sig: sign(setup.validators[v]!.seed, statement),
      })),
    }),
  });
}

const t0 = performance.now();
commit([
  commissionTx(commissionDecision(setup.electionId, "approve", setup.manifest.schedule.closesAt), [
    { member: 0, key: setup.commission[0]! },
  ]),
]);
for (let i = 0; i < setup.voters.length; i += 1900) {
  commit([
    registerTx(
      setup.electionId,
      setup.registrars[0]!,
      0,
      setup.voters.slice(i, i + 1900).map((v) => v.publicKey),
    ),
  ]);
}
const txs = await cachedBallots(setup, `catch-up-${shape}`, ballots, say);
for (const tx of txs) trusted.add(toHex(txId(tx)));
say(`building the chain: ${ballots} ballots, ${perBlock} per block...`);
for (let i = 0; i < txs.length; i += perBlock) commit(txs.slice(i, i + perBlock));
console.error(
  `built ${entries.length} blocks, ${ballots} ballots in ${s(performance.now() - t0)} s`,
);

// The serving validator's store: blocks committed as if verified at admission.
const serving = await LedgerReplica.open(join(root, "serving"), setup.manifestBytes);
for (const e of entries) {
  const verified = new Set(e.block.txs.map((t) => toHex(txId(t))));
  await serving.commit(await serving.validate(e.block, verified), e.certificate);
}

// 2. Replay.
async function replay(): Promise<{
  totalMs: number;
  checkMs: number;
  verifyMs: number;
  applyMs: number;
}> {
  const dir = join(root, "replay");
  const pool = new VerifyPool({ manifest: setup.manifestBytes, workers: availableParallelism() });
  const start = performance.now();
  const replica = await LedgerReplica.open(dir, setup.manifestBytes);
  const verified = new Set<string>();
  let verifyMs = 0;
  let applyMs = 0;
  for (const e of entries) {
    // What BlockBuilder does with a decided block from block sync.
    const block = decodeBlock(encodeBlock(e.block));
    const ids = block.txs.map((t) => toHex(txId(t)));
    const v0 = performance.now();
    const verdicts = await pool.verifyAll(block.txs, ids, true);
    if (verdicts.some((v) => !v.ok)) throw new Error("a ballot did not verify");
    const v1 = performance.now();
    verifyMs += v1 - v0;
    for (const id of ids) verified.add(id);
    await replica.commit(await replica.validate(block, verified), e.certificate);
    applyMs += performance.now() - v1;
  }
  await replica.close();
  await pool.close();
  const c = performance.now();
  const opened = await openLedger(dir, setup.manifestBytes, log);
  await opened.replica.close();
  const end = performance.now();
  rmSync(dir, { recursive: true, force: true });
  return { totalMs: end - start, checkMs: end - c, verifyMs, applyMs };
}

// 3-4. Snapshot.
async function recordsOf(store: LedgerStore) {
  const out: { credential: Uint8Array; record: Uint8Array }[] = [];
  for await (const [key, value] of store.db.iterator({
    gte: keys.prefixStart(PREFIX.credential),
    lt: keys.prefixEnd(PREFIX.credential),
  })) {
    out.push({ credential: key.subarray(1), record: value });
  }
  return out;
}

async function viaSnapshot(label: string, synthetic: boolean) {
  const store = serving.store;
  const records = await recordsOf(store);
  const state = (await store.stateAt(serving.height))!;
  // Step 4's stand-in for the certified state's credential digest (see the top).
  const digest = credentialsLatticeHash(records).digest();
  const stateHash = toHex(taggedHash(TAG.state, state));
  const server = new SnapshotServer(store);
  const app = Fastify();
  app.addSchema(errorSchema);
  registerSnapshotRoutes(app, server);
  app.get("/v1/status", async () => ({ height: serving.height }));
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  const takeStart = performance.now();
  const taken = await server.latest();
  const takeMs = performance.now() - takeStart;
  const dir = join(root, `snapshot-${label}`);
  const start = performance.now();
  const result = await stateSync({
    dataDir: dir,
    manifestBytes: setup.manifestBytes,
    sources: [url],
    ...(synthetic
      ? {
          digestOf: (st: Uint8Array) => {
            if (toHex(taggedHash(TAG.state, st)) !== stateHash) {
              throw new Error("unexpected state");
            }
            return digest;
          },
        }
      : {}),
  });
  const c = performance.now();
  const opened = await openLedger(dir, setup.manifestBytes, log);
  await opened.replica.close();
  const end = performance.now();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    records: result.records,
    chunks: result.chunks,
    manifestBytes: taken.manifestBytes.length,
    chunkBytes: taken.chunks.reduce((n, ch) => n + ch.length, 0),
    takeMs,
    fetchMs: result.fetchMs,
    writeMs: result.writeMs,
    checkMs: end - c,
    totalMs: end - start,
  };
}

const replayed = await replay();
const small = await viaSnapshot("small", false);

// Synthetic records: a real counted voter's record under new keys.
const sample = (await recordsOf(serving.store)).find((r) => r.record.length > 40)!;
const keyRng = seededRng(sha256(utf8("bench/catch-up/keys")));
for (let i = 0; i < extraRecords; i += 10_000) {
  const n = Math.min(10_000, extraRecords - i);
  await serving.store.db.batch(
    Array.from({ length: n }, () => ({
      type: "put" as const,
      key: keys.credential(keyRng(32)),
      value: sample.record,
    })),
  );
}
const large = extraRecords > 0 ? await viaSnapshot("large", true) : undefined;
await serving.close();
rmSync(root, { recursive: true, force: true });

const perBallotMs = replayed.totalMs / ballots;
const rows = [
  [
    "path",
    "ballots",
    "records",
    "chunks",
    "catch-up s",
    "of which: fetch+verify s",
    "write s",
    "store check s",
  ],
  [
    "replay from genesis",
    String(ballots),
    String(ballots),
    "-",
    s(replayed.totalMs),
    "-",
    "-",
    s(replayed.checkMs),
  ],
  [
    "snapshot",
    String(ballots),
    String(small.records),
    String(small.chunks),
    s(small.totalMs),
    s(small.fetchMs),
    s(small.writeMs),
    s(small.checkMs),
  ],
];
if (large !== undefined) {
  rows.push(
    [
      "snapshot (+ synthetic records)",
      String(ballots),
      String(large.records),
      String(large.chunks),
      s(large.totalMs),
      s(large.fetchMs),
      s(large.writeMs),
      s(large.checkMs),
    ],
    [
      "replay, extrapolated",
      String(large.records),
      String(large.records),
      "-",
      s(perBallotMs * large.records),
      "-",
      "-",
      "-",
    ],
  );
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(line(rows[0]!));
console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
for (const r of rows.slice(1)) console.log(line(r));
const sizes = (x: typeof small) =>
  `${s(x.takeMs)} s (${x.records} records, ${x.chunkBytes} bytes in chunks, manifest ${x.manifestBytes} bytes)`;
console.log(
  `\n${shape} ballots of ${Math.round(txs.reduce((n, t) => n + t.length, 0) / txs.length)} bytes; ` +
    `replay: ${perBallotMs.toFixed(2)} ms per ballot (${availableParallelism()} verify workers; ` +
    `waiting for verification ${s(replayed.verifyMs)} s, validate + commit ${s(replayed.applyMs)} s); ` +
    `snapshot ${(replayed.totalMs / small.totalMs).toFixed(1)}x faster; ` +
    `taking the snapshot on the server: ${sizes(small)}` +
    (large === undefined ? "" : `; ${sizes(large)}`) +
    `; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; Node ${process.version}`,
);
