/**
 * Audit replay speed: an in-memory election of a few hundred ballots (fixture contests:
 * 3 options limit 1, 4 options limit 2), replayed from genesis by auditRecord with the
 * worker pool (os.availableParallelism() threads) and on one thread (workers: 0, the same
 * batch verifier run inline), rounds interleaved so both see the same machine load.
 *
 * Each mode runs with both verification backends (WebAssembly and pure JS, interleaved;
 * SAYLAU_ARITHMETIC=js or =wasm keeps one).
 *
 *   npx node bench/audit.ts [ballots=400] [perBlock=50] [rounds=3]
 */

import { availableParallelism, cpus, loadavg } from "node:os";
import { auditRecord } from "../src/audit/audit.ts";
import { MemorySource, type RecordEntry } from "../src/audit/source.ts";
import { encodeCertificate } from "../src/consensus/certificate.ts";
import { commitStatement } from "../src/consensus/statements.ts";
import { utf8 } from "../src/crypto/bytes.ts";
import { sign } from "../src/crypto/ed25519.ts";
import { sha256 } from "../src/crypto/hash.ts";
import {
  type ArithmeticName,
  publicArithmetic,
  useArithmetic,
} from "../src/election/public-arithmetic.ts";
import { seededRng } from "../src/election/rng.ts";
import { encodeBlock, headerHash } from "../src/ledger/block.ts";
import { ledgerContext } from "../src/ledger/context.ts";
import { createElection } from "../src/ledger/election-setup.ts";
import { MemoryLedger } from "../src/ledger/memory-ledger.ts";
import {
  ballotTx,
  commissionDecision,
  commissionTx,
  decryptionTx,
  registerTx,
} from "../src/ledger/tx-builders.ts";
import { arithmeticFromEnv } from "../src/verify/arithmetic-from-env.ts";

// SAYLAU_ARITHMETIC=js measures the pure-JS verification backend (the workers follow).
arithmeticFromEnv();

const [ballots = 400, perBlock = 50, rounds = 3] = process.argv.slice(2).map(Number);

const CREATED_AT = 1_780_000_000_000;
const CLOSES_AT = CREATED_AT + 24 * 3600 * 1000;
const setup = createElection({
  name: "Audit benchmark",
  createdAt: CREATED_AT,
  seed: sha256(utf8("bench/audit")),
  validators: 4,
  trustees: 3,
  threshold: 2,
  voters: ballots,
  contests: [
    { label: "Mayor", options: ["A", "B", "C"], limit: 1 },
    { label: "Council", options: ["E", "F", "G", "H"], limit: 2 },
  ],
  // Open from the start; the trustees decrypt in blocks at and after CLOSES_AT.
  schedule: { opensAt: CREATED_AT, closesAt: CLOSES_AT, timeZone: "Asia/Almaty" },
});
const ctx = ledgerContext(setup.manifestBytes);
const ledger = new MemoryLedger(ctx);
const entries: RecordEntry[] = [];
const rng = seededRng(sha256(utf8("bench/audit/rng")));

function commit(
  txs: Uint8Array[],
  time = CREATED_AT + 100_000 + ledger.tip.header.height * 1000,
): void {
  const next = ledger.propose(txs, time);
  if (next.rejected.length > 0) throw next.rejected[0]!.error;
  // Blocks are built with the state machine's own checks, then certified by 3 of 4 validators.
  ledger.commit(next.block);
  const h = next.block.header;
  const blockHash = headerHash(h);
  const statement = commitStatement(setup.electionId, h.height, 0, blockHash);
  entries.push({
    height: h.height,
    block: encodeBlock(next.block),
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

const buildStart = performance.now();
commit([
  commissionTx(commissionDecision(setup.electionId, "approve", CLOSES_AT), [
    { member: 0, key: setup.commission[0]! },
  ]),
]);
for (let i = 0; i < setup.voters.length; i += 2048) {
  commit([
    registerTx(
      setup.electionId,
      setup.registrars[0]!,
      0,
      setup.voters.slice(i, i + 2048).map((v) => v.publicKey),
    ),
  ]);
}
const txs = setup.voters.map((v, i) =>
  ballotTx(
    ctx,
    v,
    0,
    [[0, 1, 2].map((j) => (j === i % 3 ? 1 : 0)), [0, 1, 2, 3].map((j) => (j === i % 4 ? 1 : 0))],
    1,
    rng,
  ),
);
for (let i = 0; i < txs.length; i += perBlock) commit(txs.slice(i, i + perBlock));
// The polls close by block time: the decryptions go in blocks after CLOSES_AT.
const tally = ledger.tip.state.districts[0]!.tally;
commit([decryptionTx(ctx, setup.trustees[0]!, 0, tally, rng)], CLOSES_AT);
commit([decryptionTx(ctx, setup.trustees[1]!, 0, tally, rng)], CLOSES_AT + 1000);
const buildMs = performance.now() - buildStart;

const pool = availableParallelism();
// Both verification backends, interleaved, unless SAYLAU_ARITHMETIC picks one.
const arithmetics: ArithmeticName[] =
  process.env.SAYLAU_ARITHMETIC === undefined || process.env.SAYLAU_ARITHMETIC === ""
    ? ["wasm", "js"]
    : [publicArithmetic().name];
const modes = arithmetics.flatMap((arithmetic) => [
  { name: `one thread, ${arithmetic}`, workers: 0, arithmetic },
  { name: `worker pool (${pool}), ${arithmetic}`, workers: pool, arithmetic },
]);
const samples = new Map<string, number[]>(modes.map((m) => [m.name, []]));
const elapsed = new Map<string, number[]>(modes.map((m) => [m.name, []]));
for (let r = 0; r < rounds; r++) {
  for (const mode of modes) {
    // The pool's workers take the backend from the environment when they start.
    process.env.SAYLAU_ARITHMETIC = mode.arithmetic;
    useArithmetic(mode.arithmetic);
    const report = await auditRecord(new MemorySource(setup.manifestBytes, entries), {
      workers: mode.workers,
    });
    if (report.ballotsVerified !== ballots || !report.results.complete)
      throw new Error("audit did not replay everything");
    samples.get(mode.name)!.push(report.ballotsPerSecond);
    elapsed.get(mode.name)!.push(report.elapsedMs);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `audit replay: ${ballots} ballots in ${entries.length} blocks (${perBlock} per block), ${rounds} rounds interleaved`,
);
console.log(
  `machine: ${cpus()[0]?.model ?? "?"} x${cpus().length}, load ${loadavg()[0]!.toFixed(2)}, node ${process.version}`,
);
console.log(`(building and certifying the election took ${(buildMs / 1000).toFixed(1)} s)\n`);
const rows = [["mode", "median ballots/s", "best ballots/s", "median replay (s)"]];
for (const mode of modes) {
  const s = samples.get(mode.name)!;
  rows.push([
    mode.name,
    String(Math.round(median(s))),
    String(Math.round(Math.max(...s))),
    (median(elapsed.get(mode.name)!) / 1000).toFixed(2),
  ]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows)
  console.log(
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "),
  );
const rate = (name: string) => median(samples.get(name)!);
console.log("");
for (const a of arithmetics) {
  const one = rate(`one thread, ${a}`);
  console.log(
    `speed-up with the pool, ${a}: ${(rate(`worker pool (${pool}), ${a}`) / one).toFixed(2)}x`,
  );
}
if (arithmetics.length === 2) {
  for (const m of ["one thread", `worker pool (${pool})`]) {
    console.log(`wasm / js, ${m}: ${(rate(`${m}, wasm`) / rate(`${m}, js`)).toFixed(1)}x`);
  }
}
