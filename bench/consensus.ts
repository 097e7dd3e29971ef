/**
 * Consensus cost per decided block, on the simulator with real ed25519, for N = 4, 7, 20:
 *   npx node bench/consensus.ts
 * Steady state: reliable network (5-20 ms delay), every validator honest and busy. View
 * change: the leader of every height is down, so each block needs one view change.
 */
import { leaderOf } from "../src/consensus/index.ts";
import { Cluster, type Scenario } from "../test/sim/cluster.ts";
import { SIM_TIMEOUTS } from "../test/sim/scenario.ts";

const HEIGHTS = 20;

function scenario(n: number, silentLeaderOf: number | null): Scenario {
  const faults = new Map<number, "silent">();
  if (silentLeaderOf !== null) faults.set(leaderOf(silentLeaderOf, 0, n), "silent");
  return {
    seed: 1,
    n,
    faults,
    network: { minDelayMs: 5, maxDelayMs: 20, dropRate: 0, duplicateRate: 0 },
    partitions: [],
    crashes: [],
    stableAtMs: 0,
    // One transaction per block, each submitted after the previous block: block-by-block cost.
    txTimesMs: Array.from({ length: HEIGHTS }, (_, i) => i * 5000),
    timeouts: SIM_TIMEOUTS,
    livenessBoundMs: 60_000,
    crypto: "ed25519",
  };
}

interface Row {
  n: number;
  messages: number;
  bytes: number;
  virtualMs: number;
  cpuMs: number;
  viewChangeRounds: number;
  viewChangeMs: number;
}

function measure(n: number): Row {
  const steady = new Cluster(scenario(n, null));
  const sentAt = new Map<number, number>();
  steady.onAction = (_node, a, now) => {
    if (a.type === "send" && a.message.type === "pre-prepare" && !sentAt.has(a.message.height)) {
      sentAt.set(a.message.height, now);
    }
  };
  const cpuStart = process.cpuUsage();
  const result = steady.run();
  const cpu = process.cpuUsage(cpuStart);
  if (result.violations.length > 0) throw new Error(JSON.stringify(result.violations));
  const blocks = steady.nodes[0]!.ledger.length;
  let latency = 0;
  for (let tx = 1; tx <= HEIGHTS; tx++) latency += steady.txDecidedAt.get(tx)! - (tx - 1) * 5000;

  // Leader of height 1 view 0 down; measure rounds (views) and time to decide height 1.
  const vc = new Cluster({ ...scenario(n, 1), txTimesMs: [0] });
  const vcResult = vc.run();
  if (vcResult.violations.length > 0) throw new Error(JSON.stringify(vcResult.violations));
  const honest = vc.nodes.find((x) => x.up)!;
  return {
    n,
    messages: result.stats.messagesSent / blocks,
    bytes: result.stats.bytesSent / blocks,
    virtualMs: latency / HEIGHTS,
    cpuMs: (cpu.user + cpu.system) / 1000 / blocks,
    viewChangeRounds: honest.certificates[0]!.view,
    viewChangeMs: vc.txDecidedAt.get(1)!,
  };
}

const rows = [4, 7, 20].map(measure);
console.log(
  "| N | q | messages / block | bytes / block | virtual ms / block | CPU ms / block (whole cluster) | view change: views | view change: virtual ms to decide |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  const q = Math.ceil((r.n + Math.floor((r.n - 1) / 3) + 1) / 2);
  console.log(
    `| ${r.n} | ${q} | ${r.messages.toFixed(0)} | ${r.bytes.toFixed(0)} | ${r.virtualMs.toFixed(1)} | ${r.cpuMs.toFixed(2)} | ${r.viewChangeRounds} | ${r.viewChangeMs} |`,
  );
}
console.log(
  `(${HEIGHTS} blocks per N; real ed25519; delays 5-20 ms; base timeout ${SIM_TIMEOUTS.baseMs} ms)`,
);
