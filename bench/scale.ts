/**
 * Scale, measured: a national election (bench/national-election.ts: 20 regions, 200
 * districts, 19 options per ballot) on validators running as child processes on loopback.
 * Registers --voters credentials (default 100,000), then casts --ballots ballots as fast as
 * the cluster takes them (closed loop, --concurrency in flight), and meanwhile samples every
 * validator's resident memory (/proc/<pid>/status VmRSS) and data directory size every
 * --sample seconds, so the table shows how both grow with the ledger. Afterwards it reads
 * every block's size over the API and, with the validators stopped, sums validator 0's
 * LevelDB records by kind (key prefix, src/ledger/store/keys.ts), to show what the disk
 * holds. CPU per ballot comes from the validators' own metrics (bench/cluster-load.ts).
 *
 *   npx node bench/scale.ts [--validators 4] [--voters 100000] [--ballots 3000]
 *                           [--concurrency 32] [--sample 10] [--prepare]
 *
 * Ballots are encrypted once and cached (bench/ballot-cache.ts);
 * --prepare only does that, so a run's clock starts with the cluster.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Level } from "level";
import { patchValidatorConfigs, writeElectionDirectory } from "../src/cli/election-dir.ts";
import { apiRequest } from "../src/cli/http-client.ts";
import { LocalCluster, pickPorts } from "../src/cli/local-cluster.ts";
import { percentile, table } from "../src/cli/output.ts";
import { ballotTx } from "../src/ledger/tx-builders.ts";
import type { BlockView, StatusView } from "../src/node/api/service.ts";
import { cachedBallots } from "./ballot-cache.ts";
import { type LoadResult, load, type Usage, usage } from "./cluster-load.ts";
import { choicesFor, nationalSetup, openingTransactions } from "./national-election.ts";

const { values } = parseArgs({
  options: {
    validators: { type: "string", default: "4" },
    voters: { type: "string", default: "100000" },
    ballots: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "32" },
    sample: { type: "string", default: "10" },
    /** Only encrypt (and cache) the ballots, then exit. */
    prepare: { type: "boolean", default: false },
  },
});
const VALIDATORS = Number(values.validators);
const VOTERS = Number(values.voters);
const BALLOTS = Number(values.ballots);
const CONCURRENCY = Number(values.concurrency);
const SAMPLE_MS = Number(values.sample) * 1000;
const say = (line: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const MB = 1024 * 1024;

say(
  `creating the election: ${VALIDATORS} validators, ${VOTERS} voters (keys derived, not timed)...`,
);
const { setup, ctx } = nationalSetup({ validators: VALIDATORS, voters: VOTERS });
const districts = ctx.geography.districts.length;

const { approve, registrations } = openingTransactions(setup, ctx);

const ballots = await cachedBallots(setup, "ballots", BALLOTS, say);
const ballotBytes = ballots.reduce((a, b) => a + b.length, 0) / BALLOTS;
// What encrypting one costs the voter's device, on a small sample (CPU time, this thread).
const encryptStart = process.threadCpuUsage();
for (let i = 0; i < 5; i++) {
  const d = setup.voterDistricts[i]!;
  ballotTx(ctx, setup.voters[i]!, d, choicesFor(ctx, d, i), 2);
}
const encryptCpu = process.threadCpuUsage(encryptStart);
const encryptMs = (encryptCpu.user + encryptCpu.system) / 1000 / 5;
say(
  `  ${encryptMs.toFixed(1)} ms of CPU per ballot to encrypt; ${ballotBytes.toFixed(0)} bytes each`,
);
if (values.prepare) process.exit(0);

const dir = mkdtempSync(join(tmpdir(), "saylau-scale-"));
const ports = await pickPorts(VALIDATORS, 9300);
const edir = join(dir, "election");
writeElectionDirectory(edir, setup, { host: "127.0.0.1", ...ports });
// One process stands for every registrar and voter: the per-client limits would refuse it.
patchValidatorConfigs(edir, VALIDATORS, {
  rateLimitPerMinute: 0,
  overloadVerifyWaitMs: 0,
  overloadEventLoopPercent: 0,
});
// BENCH_PROFILE=<dir> writes a CPU profile of every validator thread there (as bench/cluster.ts).
const profile = process.env.BENCH_PROFILE;
const cluster = new LocalCluster(edir, VALIDATORS, ports.httpBase, {
  SAYLAU_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
  ...(profile === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profile}` }),
});
process.on("SIGINT", () => {
  cluster.killAllNow();
  process.exit(130);
});

function dirBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    try {
      total += entry.isDirectory() ? dirBytes(p) : statSync(p).size;
    } catch {
      // LevelDB removed the file between listing and stat (compaction)
    }
  }
  return total;
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  return kb === null ? 0 : Number(kb[1]) * 1024;
}

interface Sample {
  readonly seconds: number;
  readonly stage: string;
  readonly height: number;
  readonly ballots: number;
  readonly voters: number;
  readonly rss: number[];
  readonly heapUsed: number[];
  readonly external: number[];
  readonly disk: number[];
}

const pids: number[] = [];
const samples: Sample[] = [];
let stage = "start";
const t0 = performance.now();
async function sample(): Promise<void> {
  const status = await apiRequest<StatusView & { ballots?: number; voters?: number }>(
    cluster.urls[0]!,
    "/v1/status",
  ).catch(() => undefined);
  const results = await apiRequest<{ ballots: number; credentials: number }>(
    cluster.urls[0]!,
    "/v1/results",
  ).catch(() => undefined);
  const memory = await usage(cluster.urls).catch(() => undefined);
  samples.push({
    seconds: (performance.now() - t0) / 1000,
    stage,
    height: status?.height ?? -1,
    ballots: results?.ballots ?? -1,
    voters: results?.credentials ?? -1,
    rss: pids.map((pid) => rssBytes(pid)),
    heapUsed: memory?.heapUsedBytes ?? [],
    external: memory?.externalBytes ?? [],
    disk: pids.map((_, i) => dirBytes(join(edir, "validators", String(i), "data"))),
  });
  // Each sample as it is taken, in case the run does not finish.
  const x = samples.at(-1)!;
  say(
    `sample ${x.stage} height ${x.height} voters ${x.voters} ballots ${x.ballots} RSS MB ${x.rss.map((r) => (r / MB).toFixed(0)).join("/")} heap used MB ${x.heapUsed.map((r) => (r / MB).toFixed(0)).join("/")} external MB ${x.external.map((r) => (r / MB).toFixed(0)).join("/")} disk MB ${x.disk.map((d) => (d / MB).toFixed(1)).join("/")}`,
  );
}

let register: LoadResult | undefined;
let vote: LoadResult | undefined;
let usageRegister: [Usage, Usage] | undefined;
let usageVote: [Usage, Usage] | undefined;
const blockSizes: { height: number; bytes: number; txs: number }[] = [];
try {
  for (let i = 0; i < VALIDATORS; i++) pids.push(cluster.start(i).pid!);
  await cluster.waitReady(
    Array.from({ length: VALIDATORS }, (_, i) => i),
    180_000,
  );
  await sample();
  const sampler = setInterval(() => void sample(), SAMPLE_MS);
  try {
    stage = "approve";
    await load(cluster.urls, [approve], { concurrency: 1 });
    stage = "register";
    say(`registering ${VOTERS} voters in ${registrations.length} transactions...`);
    const u0 = await usage(cluster.urls);
    register = await load(cluster.urls, registrations, { concurrency: 8 });
    usageRegister = [u0, await usage(cluster.urls)];
    say(
      `  ${(register.committed / register.seconds).toFixed(1)} register tx/s, ${(VOTERS / register.seconds).toFixed(0)} voters/s`,
    );
    await sample();
    stage = "ballots";
    say(`casting ${BALLOTS} ballots, ${CONCURRENCY} in flight...`);
    const u1 = await usage(cluster.urls);
    vote = await load(cluster.urls, ballots, { concurrency: CONCURRENCY });
    usageVote = [u1, await usage(cluster.urls)];
    say(`  ${(vote.committed / vote.seconds).toFixed(1)} ballots/s`);
    stage = "idle";
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    await sample();
  } finally {
    clearInterval(sampler);
  }
  // Every block's size, a few blocks per page (a page of 100 full blocks is hundreds of MB).
  const head = (await apiRequest<StatusView>(cluster.urls[0]!, "/v1/status")).height;
  for (let from = 1; from <= head; ) {
    const page = await apiRequest<{ blocks: BlockView[]; next: number | null }>(
      cluster.urls[0]!,
      `/v1/blocks?from=${from}&limit=4`,
    );
    for (const b of page.blocks) {
      blockSizes.push({ height: b.height, bytes: b.block.length / 2, txs: b.txIds.length });
    }
    if (page.blocks.length === 0) break;
    from = page.blocks.at(-1)!.height + 1;
  }
} finally {
  await cluster.stopAll();
}

// What validator 0's LevelDB holds, by record kind (the first key byte).
const KINDS: Record<number, string> = {
  1: "manifest",
  2: "head",
  16: "blocks",
  17: "certificates",
  18: "height by hash",
  19: "tx locations",
  20: "Merkle nodes",
  21: "credential records",
  22: "state per height",
  32: "consensus WAL",
  33: "pending pool",
  34: "evidence",
  35: "dropped",
  48: "signing fence",
};
const byKind = new Map<number, { records: number; bytes: number }>();
const db = new Level<Uint8Array, Uint8Array>(join(edir, "validators", "0", "data"), {
  keyEncoding: "view",
  valueEncoding: "view",
});
await db.open();
for await (const [key, value] of db.iterator()) {
  const kind = byKind.get(key[0]!) ?? { records: 0, bytes: 0 };
  kind.records++;
  kind.bytes += key.length + value.length;
  byKind.set(key[0]!, kind);
}
await db.close();
const finalDisk = dirBytes(join(edir, "validators", "0", "data"));
if (process.env.BENCH_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
else say(`kept ${dir}`);

const cores = availableParallelism();
console.log(
  `\nNode ${process.version}, ${cores} cores, ${VALIDATORS} validators on loopback; ${districts} districts, ${VOTERS} voters, ${BALLOTS} ballots of ${ballotBytes.toFixed(0)} bytes\n`,
);
const mb = (n: number) => (n / MB).toFixed(0);
console.log(
  table([
    [
      "t s",
      "stage",
      "height",
      "voters",
      "ballots",
      "RSS MB, each validator",
      "main-thread heap used MB",
      "external MB",
      "data dir MB, each validator",
    ],
    ...samples.map((s) => [
      s.seconds.toFixed(0),
      s.stage,
      s.height,
      s.voters,
      s.ballots,
      s.rss.map(mb).join(" / "),
      s.heapUsed.map(mb).join(" / "),
      s.external.map(mb).join(" / "),
      s.disk.map(mb).join(" / "),
    ]),
  ]),
);

function loadRow(label: string, r: LoadResult, u: [Usage, Usage]): (string | number)[] {
  const [before, after] = u;
  const per = (x: number) => ((x / r.committed / VALIDATORS) * 1000).toFixed(2);
  return [
    label,
    r.committed,
    (r.committed / r.seconds).toFixed(1),
    percentile(r.latencies, 50).toFixed(2),
    percentile(r.latencies, 99).toFixed(2),
    r.rejected,
    per(after.cpuSeconds - before.cpuSeconds),
    per(after.verifyCpuSeconds - before.verifyCpuSeconds),
    per(after.mainSeconds - before.mainSeconds),
  ];
}
console.log("");
console.log(
  table([
    [
      "workload",
      "committed",
      "tx/s",
      "p50 s",
      "p99 s",
      "rejected",
      "CPU ms/tx/validator",
      "verify ms",
      "main thread ms",
    ],
    loadRow(`register (${VOTERS} voters)`, register!, usageRegister!),
    loadRow("ballots", vote!, usageVote!),
  ]),
);
console.log(`\nEncrypting a ballot (this process): ${encryptMs.toFixed(1)} ms of CPU.\n`);

const withTxs = blockSizes.filter((b) => b.txs > 0);
const sizes = withTxs.map((b) => b.bytes).sort((a, b) => a - b);
console.log(
  table([
    ["blocks", "of them with transactions", "txs", "block bytes p50", "max", "all blocks MB"],
    [
      blockSizes.length,
      withTxs.length,
      blockSizes.reduce((a, b) => a + b.txs, 0),
      sizes.length === 0 ? 0 : percentile(sizes, 50),
      sizes.at(-1) ?? 0,
      mb(blockSizes.reduce((a, b) => a + b.bytes, 0)),
    ],
  ]),
);
console.log("");
const logical = [...byKind.values()].reduce((a, k) => a + k.bytes, 0);
console.log(
  table([
    ["validator 0's records", "records", "MB (keys + values)", "share", "bytes per record"],
    ...[...byKind]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .map(([prefix, k]) => [
        KINDS[prefix] ?? `0x${prefix.toString(16)}`,
        k.records,
        (k.bytes / MB).toFixed(1),
        `${((k.bytes / logical) * 100).toFixed(0)}%`,
        Math.round(k.bytes / k.records),
      ]),
    ["all", "", (logical / MB).toFixed(1), "", ""],
    ["data dir on disk (LevelDB files, compressed)", "", (finalDisk / MB).toFixed(1), "", ""],
  ]),
);
