/**
 * Four validators as child processes on loopback, loaded over HTTP:
 *   (a) register transactions only: the cost of consensus, admission and storage, beside
 *       the ceiling that checking them allows (decode, signature, key rule; every validator
 *       checks every one): cores x (single-process checks per second) / validators;
 *   (b) encrypted 1-of-5 ballots at a fixed offered rate, beside the ceiling that proof
 *       verification allows on this machine, measured in the same run:
 *       ceiling = cores x (single-process batch verification rate) / validators,
 *       since every validator verifies every ballot once.
 * Throughput counts transactions committed per second of wall time from the first
 * submission to the last commit; latency is from submission to the moment a poller sees
 * the transaction in a committed block (polling every 20 ms, so up to 20 ms late).
 *
 *   npm run bench [-- --registers 6000 --ballots 300 --load 0.8 --batch 250]
 *
 * --durability safe (the default: walSync and mempoolSync on, as a validator's defaults),
 * unsafe (both off), or both: the same workloads on a fresh cluster each, unsafe then safe,
 * `--rounds` times (alternating the order each round), printed side by side.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { patchValidatorConfigs, writeElectionDirectory } from "../src/cli/election-dir.ts";
import { apiRequest } from "../src/cli/http-client.ts";
import { LocalCluster, pickPorts } from "../src/cli/local-cluster.ts";
import { percentile, table } from "../src/cli/output.ts";
import { utf8 } from "../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../src/crypto/ed25519.ts";
import { sha256 } from "../src/crypto/hash.ts";
import { verifyBallotsBatch } from "../src/election/batch.ts";
import { ledgerContext } from "../src/ledger/context.ts";
import { createElection } from "../src/ledger/election-setup.ts";
import { type BallotTx, decodeTransaction } from "../src/ledger/transactions.ts";
import {
  ballotTx,
  commissionDecision,
  commissionTx,
  registerTx,
} from "../src/ledger/tx-builders.ts";
import type { ResultsView } from "../src/node/api/service.ts";
import { verifyTransactions } from "../src/verify/verify-transactions.ts";
import { type LoadResult, load, type Usage, usage } from "./cluster-load.ts";

const { values } = parseArgs({
  options: {
    registers: { type: "string", default: "6000" },
    ballots: { type: "string", default: "300" },
    load: { type: "string", default: "0.8" },
    concurrency: { type: "string", default: "128" },
    batch: { type: "string", default: "1" },
    durability: { type: "string", default: "safe" },
    rounds: { type: "string", default: "1" },
  },
});
const REGISTERS = Number(values.registers);
const BALLOTS = Number(values.ballots);
const LOAD = Number(values.load);
const CONCURRENCY = Number(values.concurrency);
/** Transactions per request for (a): 1 posts each alone; more uses /v1/transactions/batch. */
const BATCH = Number(values.batch);
const VALIDATORS = 4;
type Durability = "safe" | "unsafe";
const MODES: Durability[] =
  values.durability === "both"
    ? ["unsafe", "safe"]
    : values.durability === "unsafe"
      ? ["unsafe"]
      : values.durability === "safe"
        ? ["safe"]
        : (() => {
            throw new Error(`--durability must be safe, unsafe or both, not ${values.durability}`);
          })();
const ROUNDS = Number(values.rounds);

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function usageRow(label: string, before: Usage, after: Usage, txs: number): (string | number)[] {
  const cpu = after.cpuSeconds - before.cpuSeconds;
  const verify = after.verifyCpuSeconds - before.verifyCpuSeconds;
  const main = after.mainSeconds - before.mainSeconds;
  const batches = after.batches - before.batches;
  const batched = after.batchedTxs - before.batchedTxs;
  return [
    label,
    Number(cpu.toFixed(1)),
    Number(verify.toFixed(1)),
    `${((verify / cpu) * 100).toFixed(0)}%`,
    Number(((cpu / txs / VALIDATORS) * 1000).toFixed(2)),
    Number(((verify / txs / VALIDATORS) * 1000).toFixed(2)),
    Number(((main / txs / VALIDATORS) * 1000).toFixed(2)),
    Number((batched / Math.max(1, batches)).toFixed(1)),
    after.mainByValidator.map((m, i) => (m - before.mainByValidator[i]!).toFixed(1)).join(" / "),
  ];
}

function row(label: string, r: LoadResult): (string | number)[] {
  return [
    label,
    r.committed,
    Number((r.committed / r.seconds).toFixed(1)),
    Number(percentile(r.latencies, 50).toFixed(3)),
    Number(percentile(r.latencies, 95).toFixed(3)),
    Number(percentile(r.latencies, 99).toFixed(3)),
    r.rejected,
  ];
}

const dir = mkdtempSync(join(tmpdir(), "saylau-bench-"));
const setup = createElection({
  name: "bench",
  createdAt: Date.now(),
  seed: sha256(utf8("saylau bench")),
  validators: VALIDATORS,
  trustees: 3,
  threshold: 2,
  voters: BALLOTS,
  contests: [{ label: "Mayor", options: ["A", "B", "C", "D", "E"], limit: 1 }],
});
const ctx = ledgerContext(setup.manifestBytes);

// The ballots and their single-process verification rate, before any validator runs.
say(`encrypting ${BALLOTS} 1-of-5 ballots (not timed)...`);
const ballots = setup.voters.map((v, i) =>
  ballotTx(ctx, v, 0, [[0, 1, 2, 3, 4].map((j) => (j === i % 5 ? 1 : 0))], 1),
);
let best = Number.POSITIVE_INFINITY;
for (let round = 0; round < 3; round++) {
  // Decoded afresh each round from the bytes, as a validator receives them: point decodings
  // are memoised per byte array, and reusing one decoded sample would time only the MSM.
  const sample = ballots.slice(0, 64).map((b) => decodeTransaction(Uint8Array.from(b)) as BallotTx);
  const t = performance.now();
  const bad = verifyBallotsBatch(
    ctx.crypto,
    sample.map((s) => ({ credential: s.credential, body: s.ballot })),
  );
  if (bad.length !== 0) throw new Error("sample ballots failed to verify");
  best = Math.min(best, (performance.now() - t) / 64);
}
const perCoreRate = 1000 / best;

// Baseline for (a): how many register transactions one core can check (decode + signature +
// key rule), the least work every validator must do for each of them.
const sampleRegisters = Array.from({ length: 400 }, (_, i) =>
  registerTx(setup.electionId, setup.registrars[0]!, 0, [
    keyPairFromSeed(sha256(utf8(`baseline ${i}`))).publicKey,
  ]),
);
let bestRegister = Number.POSITIVE_INFINITY;
for (let round = 0; round < 3; round++) {
  const t = performance.now();
  const verdicts = verifyTransactions(ctx, sampleRegisters);
  if (!verdicts.every((v) => v.ok)) throw new Error("sample registrations failed to verify");
  bestRegister = Math.min(bestRegister, (performance.now() - t) / sampleRegisters.length);
}
const registerPerCore = 1000 / bestRegister;
const cores = availableParallelism();
const ceiling = (cores * perCoreRate) / VALIDATORS;
const registerCeiling = (cores * registerPerCore) / VALIDATORS;
const rate = LOAD * ceiling;

// The same transactions for every run: each run starts a fresh ledger of the same election.
const registers = Array.from({ length: REGISTERS }, (_, i) =>
  registerTx(setup.electionId, setup.registrars[0]!, 0, [
    keyPairFromSeed(sha256(utf8(`bench credential ${i}`))).publicKey,
  ]),
);
const voters = registerTx(
  setup.electionId,
  setup.registrars[0]!,
  0,
  setup.voters.map((v) => v.publicKey),
);
// The commission's approval (one member, k = 1): nothing else is accepted before it, and the
// polls, open from createdAt, are open from then on.
const approval = commissionTx(
  commissionDecision(setup.electionId, "approve", setup.manifest.schedule.closesAt),
  [{ member: 0, key: setup.commission[0]! }],
);

interface RunResult {
  readonly mode: Durability;
  readonly a: LoadResult;
  readonly b: LoadResult;
  readonly usageA: (string | number)[];
  readonly usageB: (string | number)[];
}

// BENCH_PROFILE=<dir> writes a CPU profile of every validator there (for finding hot spots).
const profile = process.env.BENCH_PROFILE;
let cluster: LocalCluster | undefined;
process.on("SIGINT", () => {
  cluster?.killAllNow();
  process.exit(130);
});

/** One fresh cluster with the given durability settings, loaded with (a) then (b). */
async function run(mode: Durability, runIndex: number): Promise<RunResult> {
  const ports = await pickPorts(VALIDATORS, 9100);
  const edir = join(dir, `election-${runIndex}-${mode}`);
  writeElectionDirectory(edir, setup, { host: "127.0.0.1", ...ports });
  const sync = mode === "safe";
  // This process stands for every voter, registrar and the commission at once, from one address, and offers
  // more than the cluster can take at --load 0.8: the per-client rate limit and the load
  // shedding (docs/NODE.md) would refuse it. The bench measures what the cluster can do.
  patchValidatorConfigs(edir, VALIDATORS, {
    walSync: sync,
    mempoolSync: sync,
    rateLimitPerMinute: 0,
    overloadVerifyWaitMs: 0,
    overloadEventLoopPercent: 0,
  });
  cluster = new LocalCluster(edir, VALIDATORS, ports.httpBase, {
    SAYLAU_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
    ...(profile === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profile}` }),
  });
  try {
    for (let i = 0; i < VALIDATORS; i++) cluster.start(i);
    await cluster.waitReady([0, 1, 2, 3]);
    const urls = cluster.urls;

    await load(urls, [approval], { concurrency: 1 });
    // (a) register transactions, one fresh credential each.
    say(
      `[${mode}] (a) ${REGISTERS} register transactions, ${BATCH > 1 ? `${BATCH} per request, 8 requests` : CONCURRENCY} in flight...`,
    );
    const beforeA = await usage(urls);
    const a = await load(urls, registers, {
      concurrency: BATCH > 1 ? 8 : CONCURRENCY,
      batch: BATCH,
    });
    const afterA = await usage(urls);

    // (b) ballots at LOAD x ceiling.
    await load(urls, [voters], { concurrency: 1 });
    say(
      `[${mode}] (b) ${BALLOTS} ballots offered at ${rate.toFixed(1)}/s (${LOAD} x ceiling ${ceiling.toFixed(1)}/s)...`,
    );
    const beforeB = await usage(urls);
    const b = await load(urls, ballots, { concurrency: CONCURRENCY, ratePerSecond: rate });
    const afterB = await usage(urls);
    const results = await apiRequest<ResultsView>(urls[0]!, "/v1/results");
    if (results.ballots !== BALLOTS) {
      throw new Error(
        `expected ${BALLOTS} ballots in the ledger, found ${results.ballots}; rejected: ${JSON.stringify([...b.rejections])}`,
      );
    }
    // Each run's figures as soon as it ends, in case a later run fails.
    say(`[${mode}] ${row("(a)", a).join(" ")} | ${row("(b)", b).join(" ")}`);
    return {
      mode,
      a,
      b,
      usageA: usageRow(`${tag(mode)}(a) register`, beforeA, afterA, a.committed),
      usageB: usageRow(`${tag(mode)}(b) ballots`, beforeB, afterB, b.committed),
    };
  } finally {
    await cluster.stopAll();
    cluster = undefined;
  }
}

/** Row labels name the setting only when both are compared. */
function tag(mode: Durability): string {
  return MODES.length > 1 ? `${mode} ` : "";
}

const runs: RunResult[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order (unsafe, safe, safe, unsafe, ...) so that drift in the machine's
    // load does not favour one setting.
    const order = round % 2 === 0 ? MODES : [...MODES].reverse();
    for (const mode of order) runs.push(await run(mode, runs.length));
  }
} finally {
  if (process.env.BENCH_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
  else say(`kept ${dir}`);
}

console.log(`\nNode ${process.version}, ${cores} cores, ${VALIDATORS} validators on loopback\n`);
console.log(
  table([
    ["workload", "committed", "tx/s", "p50 s", "p95 s", "p99 s", "rejected"],
    ...runs.flatMap((r) => [
      row(`${tag(r.mode)}(a) register${BATCH > 1 ? ` (${BATCH}/request)` : ""}`, r.a),
      row(`${tag(r.mode)}(b) ballots @ ${rate.toFixed(1)}/s`, r.b),
    ]),
  ]),
);
if (MODES.length > 1) {
  // Each setting's mean over its runs, and safe relative to unsafe.
  const mean = (mode: Durability, pick: (r: RunResult) => number) => {
    const of = runs.filter((r) => r.mode === mode).map(pick);
    return of.reduce((x, y) => x + y, 0) / of.length;
  };
  const tps = (l: LoadResult) => l.committed / l.seconds;
  const p99 = (l: LoadResult) => percentile(l.latencies, 99);
  const compare = (label: string, pick: (r: RunResult) => number, digits: number) => {
    const unsafe = mean("unsafe", pick);
    const safe = mean("safe", pick);
    return [
      label,
      unsafe.toFixed(digits),
      safe.toFixed(digits),
      `${((safe / unsafe) * 100).toFixed(0)}%`,
    ];
  };
  console.log("\nSafe (walSync, mempoolSync on) against unsafe, mean of each setting's runs:\n");
  console.log(
    table([
      ["measure", "unsafe", "safe", "safe / unsafe"],
      compare("(a) register tx/s", (r) => tps(r.a), 1),
      compare("(a) register p99 s", (r) => p99(r.a), 3),
      compare("(b) ballots tx/s", (r) => tps(r.b), 1),
      compare("(b) ballots p99 s", (r) => p99(r.b), 3),
    ]),
  );
}
console.log("\nCPU time of the four validators (their own metrics), per phase:\n");
console.log(
  table([
    [
      "workload",
      "CPU s",
      "of it verifying s",
      "verifying",
      "CPU ms/tx/validator",
      "verify ms/tx/validator",
      "main thread ms/tx/validator",
      "txs/batch",
      "main thread s, each validator",
    ],
    ...runs.flatMap((r) => [r.usageA, r.usageB]),
  ]),
);
console.log("");
const last = runs.at(-1)!;
console.log(
  table([
    [
      "(a) single-process register check",
      `${(bestRegister * 1000).toFixed(0)} us/tx = ${registerPerCore.toFixed(0)} tx/s per core`,
    ],
    [
      "(a) ceiling",
      `${cores} cores x ${registerPerCore.toFixed(0)} / ${VALIDATORS} validators = ${registerCeiling.toFixed(0)} tx/s`,
    ],
    [
      `(a) achieved / ceiling${runs.length > 1 ? " (last run)" : ""}`,
      `${((last.a.committed / last.a.seconds / registerCeiling) * 100).toFixed(0)}%`,
    ],
    [
      "(b) single-process batch verification",
      `${best.toFixed(2)} ms/ballot = ${perCoreRate.toFixed(1)} ballots/s per core`,
    ],
    [
      "(b) ceiling",
      `${cores} cores x ${perCoreRate.toFixed(1)} / ${VALIDATORS} validators = ${ceiling.toFixed(1)} ballots/s`,
    ],
    [
      `(b) achieved / ceiling${runs.length > 1 ? " (last run)" : ""}`,
      `${((last.b.committed / last.b.seconds / ceiling) * 100).toFixed(0)}%`,
    ],
  ]),
);
