/**
 * Election cryptography benchmark: `npx node bench/election.ts`. Prints a Markdown table of
 * measured times on this machine (single-threaded, pure JS). Every verification starts from
 * the ballot's bytes (canonical decoding and point decompression included), so single and
 * batch numbers are comparable; both are measured in the same run.
 */

import { cpus, loadavg } from "node:os";
import { G } from "../src/election/group.ts";
import {
  addBallot,
  boundedDiscreteLog,
  combineShares,
  decodeBallot,
  emptyTally,
  encodeBallot,
  encryptBallot,
  partialDecrypt,
  verifyBallot,
  verifyBallotsBatch,
} from "../src/election/index.ts";
import { publicArithmetic } from "../src/election/public-arithmetic.ts";
import { arithmeticFromEnv } from "../src/verify/arithmetic-from-env.ts";
import { benchElection, credentialOf } from "./bench-election.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

// SAYLAU_ARITHMETIC=js measures the pure-JS verification backend (the workers follow).
arithmeticFromEnv();

const { election, ctx, rng } = benchElection();
const choiceOf = (i: number) => [[0, 1, 2, 3, 4].map((j) => (j === i % 6 ? 1 : 0))];

// Warm-up: builds the fixed-base tables of G and K and lets the JIT settle.
for (let i = 0; i < 3; i++) {
  const b = encryptBallot(ctx, credentialOf(i), choiceOf(i), rng);
  verifyBallot(ctx, credentialOf(i), decodeBallot(ctx, encodeBallot(b)));
}

const N = 256;
const encryptTimes: number[] = [];
const ballots = Array.from({ length: N }, (_, i) => {
  const { ms, value } = time(() => encryptBallot(ctx, credentialOf(i), choiceOf(i), rng));
  encryptTimes.push(ms);
  return { credential: credentialOf(i), bytes: encodeBallot(value), body: value };
});

// The machine may be shared, so single and batch verification are measured in interleaved
// rounds, and the fastest round of each is reported (the least disturbed one); the ratio is
// also given per round.
function singlePerBallot(count: number, offset: number): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const b = ballots[(offset + i) % N]!;
    verifyBallot(ctx, b.credential, decodeBallot(ctx, b.bytes));
  }
  return (performance.now() - start) / count;
}

function batchPerBallot(n: number): number {
  const { ms, value } = time(() =>
    verifyBallotsBatch(
      ctx,
      ballots
        .slice(0, n)
        .map((b) => ({ credential: b.credential, body: decodeBallot(ctx, b.bytes) })),
    ),
  );
  if (value.length !== 0) throw new Error("honest batch rejected");
  return ms / n;
}

const ROUNDS = 4;
const rounds: { single: number; batch64: number; batch256: number }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const single = singlePerBallot(16, 16 * r);
  const batch64 = batchPerBallot(64);
  const batch256 = batchPerBallot(256);
  rounds.push({ single, batch64, batch256 });
}
const best = (key: "single" | "batch64" | "batch256") => Math.min(...rounds.map((r) => r[key]));
const single = best("single");
const batch64 = best("batch64");
const batch256 = best("batch256");
const ratioRange = (key: "batch64" | "batch256") => {
  const ratios = rounds.map((r) => r[key] / r.single);
  return `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
};

let tally = emptyTally(ctx);
for (const b of ballots) tally = addBallot(ctx, tally, b.body);
const partialTimes: number[] = [];
const shares = election.secrets.slice(0, 3).map((s) => {
  const { ms, value } = time(() => partialDecrypt(ctx, s, tally, rng));
  partialTimes.push(ms);
  return value;
});
const combine = time(() => combineShares(ctx, tally, shares, N));

const target = G.multiply(999_983n);
const bsgsCold = time(() => boundedDiscreteLog(target, 1_000_000));
const bsgsWarm = median(
  Array.from({ length: 5 }, () => time(() => boundedDiscreteLog(target, 1_000_000)).ms),
);
if (bsgsCold.value !== 999_983) throw new Error("BSGS returned a wrong count");

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")} at the end of the run; ${publicArithmetic().name} verification arithmetic`,
);
console.log("");
console.log("| operation | time | notes |");
console.log("| --- | --- | --- |");
console.log(`| encrypt a 1-of-5 ballot | ${fmt(median(encryptTimes))} | median of ${N} |`);
console.log(
  `| verify one ballot (decode + proofs) | ${fmt(single)} | fastest of ${ROUNDS} rounds of 16 |`,
);
console.log(
  `| batch-verify 64 ballots | ${fmt(batch64)} per ballot | ${(batch64 / single).toFixed(2)}x single (per round: ${ratioRange("batch64")}) |`,
);
console.log(
  `| batch-verify 256 ballots | ${fmt(batch256)} per ballot | ${(batch256 / single).toFixed(2)}x single (per round: ${ratioRange("batch256")}) |`,
);
console.log(
  `| partial decryption (1 trustee, 5 options) | ${fmt(median(partialTimes))} | median of 3 trustees |`,
);
console.log(
  `| combine 3 shares (verify + Lagrange + BSGS, 5 options) | ${fmt(combine.ms)} | counts up to ${N} |`,
);
console.log(
  `| BSGS, count 999,983 of at most 1,000,000, first call | ${fmt(bsgsCold.ms)} | includes building the baby-step table |`,
);
console.log(`| BSGS, same, table built | ${fmt(bsgsWarm)} | median of 5 |`);
console.log("");
console.log(`encoded 1-of-5 ballot body: ${ballots[0]!.bytes.length} bytes`);
