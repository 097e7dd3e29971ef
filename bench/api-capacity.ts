/**
 * What one validator's HTTP API serves on this machine, and what its rate limit and load
 * shedding do under a flood. Four validators run as child processes on loopback; validator
 * 0 is flooded by a closed-loop raw HTTP client (keep-alive sockets, each sending its next
 * request when the last is answered) with, in turn:
 *
 *   status    GET /v1/status                                      32 connections, 1 address
 *   garbage   POST /v1/ballots {"tx":"00"} (400)                   32 connections, 1 address
 *   bad-sig   POST /v1/ballots, real ballots whose signature is
 *             broken, all distinct (422)                          32 connections, 1 address
 *   register  POST /v1/transactions, one new credential each
 *             (202: verified, durable, forwarded, committed)      32 connections, 1 address
 *   ballots   POST /v1/ballots, valid encrypted ballots (202)     256 connections, 64 addresses
 *
 * Each flood lasts `--seconds` (ballots: until all are sent), from addresses of its own
 * (127.0.<workload>.<k>, so each starts with a full rate-limit budget). Meanwhile a well-behaved
 * client on another address (127.0.0.2) asks validator 0 for /v1/status every 50 ms: its
 * latency is what a voter would see during the flood.
 *
 * Everything runs twice on fresh data directories: first with the rate limit and load
 * shedding off (the node's raw capacity: the baseline), then with the defaults of
 * src/node/config.ts. Validator 0's own metrics give its CPU time per answered request and
 * its event loop's utilization during each flood.
 *
 *   npm run bench:api [-- --seconds 10 --ballots 3000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, get } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { patchValidatorConfigs, writeElectionDirectory } from "../src/cli/election-dir.ts";
import { apiRequest } from "../src/cli/http-client.ts";
import { LocalCluster, pickPorts, until } from "../src/cli/local-cluster.ts";
import { percentile, table } from "../src/cli/output.ts";
import { toHex, utf8 } from "../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../src/crypto/ed25519.ts";
import { sha256 } from "../src/crypto/hash.ts";
import { ledgerContext } from "../src/ledger/context.ts";
import { createElection } from "../src/ledger/election-setup.ts";
import {
  type BallotTx,
  decodeTransaction,
  encodeTransaction,
  signTransaction,
} from "../src/ledger/transactions.ts";
import {
  ballotTx,
  commissionDecision,
  commissionTx,
  registerTx,
} from "../src/ledger/tx-builders.ts";
import type { StatusView } from "../src/node/api/service.ts";
import { type FloodResult, flood, httpRequest } from "./http-flood.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    ballots: { type: "string", default: "3000" },
    voters: { type: "string", default: "100" },
    registers: { type: "string", default: "20000" },
    only: { type: "string" },
    modes: { type: "string", default: "off,defaults" },
  },
});
const SECONDS = Number(values.seconds);
const BALLOTS = Number(values.ballots);
const VOTERS = Number(values.voters);
const REGISTERS = Number(values.registers);
const VALIDATORS = 4;

/** Config fields that switch the rate limit and load shedding off: the baseline. */
const OFF = { rateLimitPerMinute: 0, overloadVerifyWaitMs: 0, overloadEventLoopPercent: 0 };

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

const setup = createElection({
  name: "api capacity",
  createdAt: Date.UTC(2026, 11, 1),
  seed: sha256(utf8("saylau api capacity bench")),
  validators: VALIDATORS,
  trustees: 3,
  threshold: 2,
  voters: VOTERS,
  contests: [{ label: "Mayor", options: ["A", "B", "C", "D", "E"], limit: 1 }],
});
const ctx = ledgerContext(setup.manifestBytes);

say(`encrypting ${VOTERS} ballots, signing ${BALLOTS} and ${REGISTERS} registrations...`);
const encrypted = setup.voters.map(
  (v, i) =>
    decodeTransaction(
      ballotTx(ctx, v, 0, [[0, 1, 2, 3, 4].map((j) => (j === i % 5 ? 1 : 0))], 1),
    ) as BallotTx,
);
// A voter's ballot signed again with a higher seq is another valid ballot (the proofs do
// not cover seq) that every validator must verify in full: many ballots for one encryption.
const ballots = Array.from({ length: BALLOTS }, (_, i) => {
  const { sig: _sig, ...unsigned } = encrypted[i % VOTERS]!;
  const seq = Math.floor(i / VOTERS) + 1;
  return encodeTransaction(
    signTransaction<BallotTx>({ ...unsigned, seq }, setup.voters[i % VOTERS]!.seed),
  );
});
const registers = Array.from({ length: REGISTERS }, (_, i) =>
  registerTx(setup.electionId, setup.registrars[0]!, 0, [
    keyPairFromSeed(sha256(utf8(`api bench credential ${i}`))).publicKey,
  ]),
);
/** Distinct ballots of registered voters whose signature has one bit flipped. */
function badSignature(i: number): Uint8Array {
  const tx = encrypted[i % VOTERS]!;
  const sig = Uint8Array.from(tx.sig);
  const bit = Math.floor(i / VOTERS) % (sig.length * 8);
  sig[bit >> 3]! ^= 1 << (bit & 7);
  return encodeTransaction({ ...tx, sig });
}
const postTx = (path: string, tx: Uint8Array) =>
  httpRequest("POST", path, JSON.stringify({ tx: toHex(tx) }));

interface Workload {
  readonly name: string;
  readonly connections: number;
  /** Source addresses the connections are spread over. */
  readonly addresses: number;
  readonly seconds: number;
  readonly request: (i: number) => Uint8Array | undefined;
}
const garbage = httpRequest("POST", "/v1/ballots", '{"tx":"00"}');
const status = httpRequest("GET", "/v1/status");
const WORKLOADS = (
  [
    { name: "status", connections: 32, addresses: 1, seconds: SECONDS, request: () => status },
    { name: "garbage", connections: 32, addresses: 1, seconds: SECONDS, request: () => garbage },
    {
      name: "bad-sig",
      connections: 32,
      addresses: 1,
      seconds: SECONDS,
      request: (i) => postTx("/v1/ballots", badSignature(i)),
    },
    {
      name: "register",
      connections: 32,
      addresses: 1,
      seconds: SECONDS,
      request: (i) =>
        i < registers.length ? postTx("/v1/transactions", registers[i]!) : undefined,
    },
    {
      name: "ballots",
      connections: 256,
      addresses: 64,
      seconds: 600,
      request: (i) => (i < ballots.length ? postTx("/v1/ballots", ballots[i]!) : undefined),
    },
  ] satisfies Workload[]
).filter((w) => values.only === undefined || values.only.split(",").includes(w.name));

/** GET /v1/status every 50 ms from another address until stopped; latencies in ms. */
function probe(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      const outcome = await new Promise<string>((resolve) => {
        const req = get(
          { host: "127.0.0.1", port, path: "/v1/status", localAddress: "127.0.0.2", agent },
          (res) => {
            res.resume();
            res.on("end", () => resolve(String(res.statusCode)));
          },
        );
        req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
        req.on("error", (err) => resolve(err.message));
      });
      if (outcome === "200") latencies.push(performance.now() - t);
      else failures.set(outcome, (failures.get(outcome) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      agent.destroy();
      latencies.sort((a, b) => a - b);
      return { latencies, failures };
    },
  };
}

/** Validator 0's cumulative CPU and event-loop counters, from its /metrics. */
async function counters(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) =>
    Number(
      text
        .split("\n")
        .find((l) => l.startsWith(`${name} `))
        ?.split(" ")
        .at(-1) ?? Number.NaN,
    );
  return {
    at: performance.now(),
    process: value("saylau_process_cpu_seconds_total"),
    main: value("saylau_main_thread_cpu_seconds"),
    loopActive: value("saylau_event_loop_active_seconds"),
  };
}

const rows: (string | number)[][] = [
  [
    "limits",
    "workload",
    "answered/s",
    "statuses",
    "503 for",
    "p50 ms",
    "p99 ms",
    "CPU ms/answer",
    "main ms/answer",
    "loop busy",
    "probe p50 ms",
    "probe p99 ms",
    "probe failed",
    "blocks",
  ],
];

async function run(mode: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "saylau-api-bench-"));
  const ports = await pickPorts(VALIDATORS, 9300);
  const edir = join(dir, "election");
  writeElectionDirectory(edir, setup, { host: "127.0.0.1", ...ports });
  if (mode === "off") patchValidatorConfigs(edir, VALIDATORS, OFF);
  const cluster = new LocalCluster(edir, VALIDATORS, ports.httpBase, {
    SAYLAU_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
  });
  const statusOf = (i: number) => apiRequest<StatusView>(cluster.urls[i]!, "/v1/status");
  try {
    for (let i = 0; i < VALIDATORS; i++) cluster.start(i);
    await cluster.waitReady([0, 1, 2, 3]);
    const url = cluster.urls[0]!;
    // The commission (one member) approves; the polls, open from createdAt, open with it.
    const approval = commissionTx(
      commissionDecision(setup.electionId, "approve", setup.manifest.schedule.closesAt),
      [{ member: 0, key: setup.commission[0]! }],
    );
    await apiRequest(url, "/v1/transactions", { tx: toHex(approval) });
    await until("polls open", async () => (await statusOf(0)).phase === "open", 60_000);
    const voters = registerTx(
      setup.electionId,
      setup.registrars[0]!,
      0,
      setup.voters.map((v) => v.publicKey),
    );
    const height = (await statusOf(0)).height;
    await apiRequest(url, "/v1/transactions", { tx: toHex(voters) });
    await until("voters registered", async () => (await statusOf(0)).height > height, 60_000);
    for (const [index, w] of WORKLOADS.entries()) {
      say(`limits ${mode}: ${w.name} on ${w.connections} connections...`);
      const height0 = (await statusOf(1)).height;
      const before = await counters(url);
      const p = probe(ports.httpBase);
      const overloads = new Map<string, number>();
      const r: FloodResult = await flood({
        host: "127.0.0.1",
        port: ports.httpBase,
        connections: w.connections,
        seconds: w.seconds,
        request: w.request,
        // Which signal shed a request: the backlog or the event loop.
        onResponse: (_i, status, raw) => {
          if (status !== 503) return;
          const text = raw.toString("utf8");
          const why = /"message":"node overloaded: ([a-z ]+?) (?:is|\d)/.exec(text)?.[1] ?? "?";
          overloads.set(why, (overloads.get(why) ?? 0) + 1);
        },
        // Addresses of its own for each workload: each starts with a full budget.
        localAddresses: Array.from(
          { length: w.addresses },
          (_, k) => `127.0.${index + 1}.${k + 1}`,
        ),
      });
      const probed = await p.stop();
      const after = await counters(url);
      const height1 = (await statusOf(1)).height;
      const answered = r.latencies.length;
      rows.push([
        mode,
        w.name,
        Number((answered / r.seconds).toFixed(0)),
        [...r.byStatus]
          .sort((a, b) => a[0] - b[0])
          .map(([s, n]) => `${s}:${n}`)
          .join(" "),
        [...overloads].map(([why, n]) => `${why}:${n}`).join(" ") || "-",
        Number(percentile(r.latencies, 50).toFixed(1)),
        Number(percentile(r.latencies, 99).toFixed(1)),
        Number((((after.process - before.process) * 1000) / answered).toFixed(3)),
        Number((((after.main - before.main) * 1000) / answered).toFixed(3)),
        `${(((after.loopActive - before.loopActive) * 1000 * 100) / (after.at - before.at)).toFixed(0)}%`,
        Number(percentile(probed.latencies, 50).toFixed(1)),
        Number(percentile(probed.latencies, 99).toFixed(1)),
        [...probed.failures].map(([s, n]) => `${s}:${n}`).join(" ") || "0",
        height1 - height0,
      ]);
      // Let the cluster catch up (verification, commits) before the next workload.
      await until(
        "the pending pools to drain",
        async () =>
          (await Promise.all(cluster.urls.map((_, i) => statusOf(i)))).every(
            (s) => s.mempool === 0,
          ),
        300_000,
        200,
      );
    }
  } finally {
    await cluster.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const mode of values.modes.split(",")) await run(mode);
console.log(
  `\nNode ${process.version}, ${availableParallelism()} cores, ${VALIDATORS} validators on ` +
    `loopback; validator 0 flooded for ${SECONDS} s per workload (ballots: ${BALLOTS}, all sent)\n`,
);
console.log(table(rows));
