/**
 * 20 regional validators, live: the national election of bench/national-election.ts on
 * --validators child processes on loopback (each its own data directory). It reports each
 * process's start time and resident memory, registers --voters voters across the 20
 * regions, casts --ballots ballots (closed loop, --concurrency in flight) in two halves,
 * and during the second half kills one validator (SIGKILL) and restarts it, then times its
 * catch-up. Commit latency (p50/p99) and throughput per phase stand beside the ceiling
 * measured in the same run: every validator verifies every ballot once, so
 * ceiling = cores x (single-process batch verification rate) / validators. Where the CPU
 * goes comes from each validator's own metrics (process, verify workers, main thread).
 *
 *   npx node bench/national-cluster.ts [--validators 20] [--voters 20000] [--ballots 400]
 *                                      [--concurrency 16] [--prepare]
 *                                      [--consensus-timeout-ms 2000] [--block-max-txs 2000]
 *
 * The last two set the validators' consensusTimeoutMs and blockMaxTxs (defaults: the
 * validators' own). With 20 validators on one small machine, a height's work (every
 * validator validating the block) takes far longer than the 2 s view timer, and each view
 * change has a new leader propose a new block that all validate again.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { patchValidatorConfigs, writeElectionDirectory } from "../src/cli/election-dir.ts";
import { apiRequest } from "../src/cli/http-client.ts";
import { LocalCluster, pickPorts, until } from "../src/cli/local-cluster.ts";
import { percentile, table } from "../src/cli/output.ts";
import { verifyBallotsBatch } from "../src/election/batch.ts";
import { type BallotTx, decodeTransaction } from "../src/ledger/transactions.ts";
import type { StatusView } from "../src/node/api/service.ts";
import { cachedBallots } from "./ballot-cache.ts";
import { type LoadResult, load, type Usage, usage } from "./cluster-load.ts";
import { nationalSetup, openingTransactions } from "./national-election.ts";

const { values } = parseArgs({
  options: {
    validators: { type: "string", default: "20" },
    voters: { type: "string", default: "20000" },
    ballots: { type: "string", default: "400" },
    concurrency: { type: "string", default: "16" },
    /** Only encrypt (and cache) the ballots, then exit. */
    prepare: { type: "boolean", default: false },
    "consensus-timeout-ms": { type: "string" },
    "block-max-txs": { type: "string" },
  },
});
const VALIDATORS = Number(values.validators);
const VOTERS = Number(values.voters);
const BALLOTS = Number(values.ballots);
const CONCURRENCY = Number(values.concurrency);
const KILLED = VALIDATORS - 1;
const say = (line: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const MB = 1024 * 1024;

const { setup, ctx } = nationalSetup({ validators: VALIDATORS, voters: VOTERS });
const districts = ctx.geography.districts.length;
const ballots = await cachedBallots(setup, "ballots", BALLOTS, say);
if (values.prepare) process.exit(0);

// The ceiling, in this process before any validator starts. A validator verifies the
// ballots waiting at once in one batch, whatever their districts (src/verify/
// verify-transactions.ts batches across ballot styles): measured here as CPU time per
// ballot in a batch of 64 of the run's own ballots (spread over the districts), decoded
// afresh from their bytes; beside it, one ballot verified alone, what a validator pays when
// ballots arrive one at a time.
function cpuMs(f: () => void): number {
  const before = process.threadCpuUsage();
  f();
  const used = process.threadCpuUsage(before);
  return (used.user + used.system) / 1000;
}
function verifyBatch(bytes: readonly Uint8Array[]): void {
  const txs = bytes.map((b) => decodeTransaction(Uint8Array.from(b)) as BallotTx);
  const bad = verifyBallotsBatch(
    ctx.districtCrypto[0]!,
    txs.map((tx) => ({
      credential: tx.credential,
      body: tx.ballot,
      style: ctx.districtCrypto[tx.district]!,
    })),
  );
  if (bad.length !== 0) throw new Error("a sample ballot failed to verify");
}
verifyBatch([ballots[0]!]); // warm the tables
const sampleCount = Math.min(32, ballots.length);
const aloneMs =
  cpuMs(() => {
    for (const b of ballots.slice(0, sampleCount)) verifyBatch([b]);
  }) / sampleCount;
const batchCount = Math.min(64, ballots.length);
const batchMs = cpuMs(() => verifyBatch(ballots.slice(0, batchCount))) / batchCount;
const cores = availableParallelism();
const ceiling = (cores * (1000 / batchMs)) / VALIDATORS;
say(
  `verification: ${aloneMs.toFixed(1)} ms of CPU per ballot alone, ${batchMs.toFixed(1)} in a batch of ${batchCount} (mixed districts); ceiling ${ceiling.toFixed(2)}/s`,
);

const { approve, registrations } = openingTransactions(setup, ctx);

const dir = mkdtempSync(join(tmpdir(), "saylau-national-"));
const ports = await pickPorts(VALIDATORS, 9500);
const edir = join(dir, "election");
writeElectionDirectory(edir, setup, { host: "127.0.0.1", ...ports });
const tuning = {
  ...(values["consensus-timeout-ms"] === undefined
    ? {}
    : { consensusTimeoutMs: Number(values["consensus-timeout-ms"]) }),
  ...(values["block-max-txs"] === undefined
    ? {}
    : { blockMaxTxs: Number(values["block-max-txs"]) }),
};
patchValidatorConfigs(edir, VALIDATORS, {
  rateLimitPerMinute: 0,
  overloadVerifyWaitMs: 0,
  overloadEventLoopPercent: 0,
  ...tuning,
});
const cluster = new LocalCluster(edir, VALIDATORS, ports.httpBase, {
  SAYLAU_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
});
process.on("SIGINT", () => {
  cluster.killAllNow();
  process.exit(130);
});

const pids: number[] = [];
function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return kb === null ? 0 : (Number(kb[1]) * 1024) / MB;
  } catch {
    return 0;
  }
}
const rssRows: (string | number)[][] = [];
function rssRow(label: string): void {
  const rss = pids.map(rssMb).filter((x) => x > 0);
  const sorted = [...rss].sort((a, b) => a - b);
  rssRows.push([
    label,
    rss.length,
    sorted[0]!.toFixed(0),
    percentile(sorted, 50).toFixed(0),
    sorted.at(-1)!.toFixed(0),
    rss.reduce((a, b) => a + b, 0).toFixed(0),
  ]);
}

const all = Array.from({ length: VALIDATORS }, (_, i) => i);
const phases: { label: string; r: LoadResult; u: [Usage, Usage]; validators: number }[] = [];
let startSeconds = 0;
let catchUp = { killedAtHeight: 0, restartedAtHeight: 0, seconds: 0, downSeconds: 0 };
try {
  const started = performance.now();
  for (const i of all) pids.push(cluster.start(i).pid!);
  await cluster.waitReady(all, 600_000);
  startSeconds = (performance.now() - started) / 1000;
  say(`${VALIDATORS} validators ready, all peers seen, in ${startSeconds.toFixed(0)} s`);
  rssRow("ready, idle");

  await load(cluster.urls, [approve], { concurrency: 1 });
  say(`registering ${VOTERS} voters in ${registrations.length} transactions...`);
  let u0 = await usage(cluster.urls);
  const reg = await load(cluster.urls, registrations, { concurrency: 8 });
  phases.push({
    label: `register (${VOTERS} voters)`,
    r: reg,
    u: [u0, await usage(cluster.urls)],
    validators: VALIDATORS,
  });
  rssRow("after registration");

  const half = Math.floor(BALLOTS / 2);
  say(`casting ${half} ballots, all validators up...`);
  u0 = await usage(cluster.urls);
  const first = await load(cluster.urls, ballots.slice(0, half), { concurrency: CONCURRENCY });
  phases.push({
    label: "ballots, all up",
    r: first,
    u: [u0, await usage(cluster.urls)],
    validators: VALIDATORS,
  });
  rssRow("after first ballots");

  // The second half goes to the others while one validator is killed and restarted.
  const live = all.filter((i) => i !== KILLED);
  const liveUrls = live.map((i) => cluster.urls[i]!);
  say(`casting ${BALLOTS - half} more; validator ${KILLED} killed after 5 s, restarted 15 s later`);
  u0 = await usage(liveUrls);
  let killedAt = 0;
  const chaos = (async () => {
    await new Promise((r) => setTimeout(r, 5000));
    catchUp.killedAtHeight = (await apiRequest<StatusView>(cluster.urls[0]!, "/v1/status")).height;
    cluster.kill(KILLED);
    killedAt = performance.now();
    await cluster.waitExit(KILLED);
    await new Promise((r) => setTimeout(r, 15_000));
    pids[KILLED] = cluster.start(KILLED).pid!;
  })();
  const second = await load(liveUrls, ballots.slice(half), { concurrency: CONCURRENCY });
  await chaos;
  phases.push({
    label: `ballots, validator ${KILLED} killed and restarted`,
    r: second,
    u: [u0, await usage(liveUrls)],
    validators: VALIDATORS - 1,
  });
  // Catch-up: the restarted validator reaches validator 0's height.
  const target = (await apiRequest<StatusView>(cluster.urls[0]!, "/v1/status")).height;
  await until(
    `validator ${KILLED} to catch up`,
    async () =>
      (await apiRequest<StatusView>(cluster.urls[KILLED]!, "/v1/status")).height >= target,
    600_000,
    200,
  );
  catchUp = {
    ...catchUp,
    restartedAtHeight: target,
    seconds: (performance.now() - killedAt) / 1000,
    downSeconds: 15,
  };
  say(
    `validator ${KILLED} back at height ${target}, ${catchUp.seconds.toFixed(0)} s after the kill`,
  );
  rssRow("after ballots and the restart");
} finally {
  await cluster.stopAll();
  if (process.env.BENCH_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
  else say(`kept ${dir}`);
}

console.log(
  `\nNode ${process.version}, ${cores} cores, ${VALIDATORS} validators on loopback; ${districts} districts, ${VOTERS} voters, ${BALLOTS} ballots; all ${VALIDATORS} ready in ${startSeconds.toFixed(0)} s; validator settings ${JSON.stringify(tuning)}\n`,
);
console.log(table([["validator RSS MB", "processes", "min", "p50", "max", "sum"], ...rssRows]));
console.log("");
console.log(
  table([
    [
      "phase",
      "committed",
      "tx/s",
      "p50 s",
      "p99 s",
      "rejected",
      "CPU ms/tx/validator",
      "verify",
      "main thread",
      "other threads",
    ],
    ...phases.map(({ label, r, u: [b, a], validators }) => {
      const per = (x: number) => ((x / r.committed / validators) * 1000).toFixed(1);
      const cpu = a.cpuSeconds - b.cpuSeconds;
      const verify = a.verifyCpuSeconds - b.verifyCpuSeconds;
      const main = a.mainSeconds - b.mainSeconds;
      return [
        label,
        r.committed,
        (r.committed / r.seconds).toFixed(2),
        percentile(r.latencies, 50).toFixed(2),
        percentile(r.latencies, 99).toFixed(2),
        r.rejected,
        per(cpu),
        per(verify),
        per(main),
        per(cpu - verify - main),
      ];
    }),
  ]),
);
console.log("");
const ballotPhase = phases[1]!;
console.log(
  table([
    [
      "single-process verification, one ballot alone",
      `${aloneMs.toFixed(1)} ms of CPU per ballot = ${(1000 / aloneMs).toFixed(1)}/s per core`,
    ],
    [
      `the same in a batch of ${batchCount} (the run's ballots, mixed districts)`,
      `${batchMs.toFixed(1)} ms of CPU per ballot = ${(1000 / batchMs).toFixed(1)}/s per core`,
    ],
    [
      "ceiling",
      `${cores} cores x ${(1000 / batchMs).toFixed(1)} / ${VALIDATORS} validators = ${ceiling.toFixed(2)} ballots/s`,
    ],
    [
      "achieved / ceiling (all up)",
      `${((ballotPhase.r.committed / ballotPhase.r.seconds / ceiling) * 100).toFixed(0)}%`,
    ],
    [
      `validator ${KILLED}`,
      `killed at height ${catchUp.killedAtHeight}, down ${catchUp.downSeconds} s, at the head (${catchUp.restartedAtHeight}) ${catchUp.seconds.toFixed(0)} s after the kill`,
    ],
  ]),
);
