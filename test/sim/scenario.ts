/**
 * Random scenarios, each fully determined by (seed, N): which validators are faulty and how,
 * network quality, partitions, honest crashes and restarts, and the transaction workload.
 * Everything turbulent happens before `stableAtMs`; from then on the network is reliable
 * (bounded delay, no loss, no partition) and every honest validator is up, which is when
 * the liveness bound starts to run.
 */
import type { UnsafeTestMutation } from "../../src/consensus/index.ts";
import { faultTolerance } from "../../src/consensus/index.ts";
import type { FaultKind } from "./byzantine.ts";
import type { CrashRestart, Partition, Scenario } from "./cluster.ts";
import { Rng } from "./rng.ts";
import type { CryptoKind } from "./sim-crypto.ts";

export const FAULT_KINDS: readonly FaultKind[] = [
  "silent",
  "crash",
  "equivocating-leader",
  "double-voter",
  "replayer",
  "invalid-proposer",
  "twins",
];

export const SIM_TIMEOUTS = { baseMs: 400, backoff: 2, maxMs: 6400 };

/**
 * After the network stabilises, honest validators may sit in views up to
 * log2(maxMs/baseMs) = 4 apart with timers of up to maxMs; a few maximal timeouts bring
 * them together (f+1 view-change rule, NEW-VIEW forwarding), and a view with an honest
 * leader then decides within a few message delays. 20 maximal timeouts is a generous bound
 * that still fails loudly if the protocol ever stalls.
 */
export const LIVENESS_BOUND_MS = 20 * SIM_TIMEOUTS.maxMs;

export interface ScenarioOptions {
  readonly crypto?: CryptoKind;
  readonly mutation?: UnsafeTestMutation;
  /** Force these fault kinds (else drawn at random). */
  readonly faultKinds?: readonly FaultKind[];
}

export function randomScenario(seed: number, n: number, options: ScenarioOptions = {}): Scenario {
  const rng = new Rng(Math.imul(seed, 2654435761) ^ n);
  const f = faultTolerance(n);
  const faultCount = options.faultKinds?.length ?? (rng.chance(0.75) ? f : rng.int(0, f));
  const validators = rng.shuffle([...Array(n).keys()]);
  const faults = new Map<number, FaultKind>();
  for (let i = 0; i < faultCount; i++) {
    faults.set(validators[i]!, options.faultKinds?.[i] ?? rng.pick(FAULT_KINDS));
  }
  const honest = validators.slice(faultCount);
  const stableAtMs = rng.int(2000, 12_000);
  const minDelayMs = rng.int(1, 10);
  const network = {
    minDelayMs,
    maxDelayMs: minDelayMs + rng.int(2, 60),
    dropRate: rng.chance(0.3) ? 0 : rng.next() * 0.2,
    duplicateRate: rng.next() * 0.1,
  };
  const partitions: Partition[] = [];
  for (let i = rng.int(0, 2); i > 0; i--) {
    const startMs = rng.int(0, stableAtMs - 500);
    const endMs = rng.int(startMs + 100, stableAtMs);
    const side = validators.filter(() => rng.chance(0.5));
    partitions.push({
      startMs,
      endMs,
      groups: [validators.filter((v) => !side.includes(v)), side],
    });
  }
  const crashes: CrashRestart[] = [];
  for (const [v, kind] of faults) {
    if (kind === "crash")
      crashes.push({ validator: v, atMs: rng.int(0, stableAtMs), restartAtMs: null });
  }
  for (let i = rng.int(0, 2); i > 0 && honest.length > 0; i--) {
    const atMs = rng.int(0, stableAtMs - 200);
    crashes.push({ validator: rng.pick(honest), atMs, restartAtMs: rng.int(atMs + 1, stableAtMs) });
  }
  const txCount = n >= 20 ? rng.int(3, 6) : rng.int(4, 10);
  const txTimesMs = Array.from({ length: txCount }, () => rng.int(0, stableAtMs + 2000)).sort(
    (a, b) => a - b,
  );
  return {
    seed,
    n,
    faults,
    network,
    partitions,
    crashes,
    stableAtMs,
    txTimesMs,
    timeouts: SIM_TIMEOUTS,
    livenessBoundMs: LIVENESS_BOUND_MS,
    crypto: options.crypto ?? "stand-in",
    ...(options.mutation === undefined ? {} : { mutation: options.mutation }),
  };
}

/** One line that says what a scenario is, for failure messages. */
export function describeScenario(s: Scenario): string {
  const faults = [...s.faults].map(([v, k]) => `${v}:${k}`).join(" ") || "none";
  const clock =
    s.clock === undefined
      ? ""
      : ` clock=±${s.clock.maxSkewMs} offsets=[${s.clock.offsetsMs.join(" ")}]`;
  return `seed=${s.seed} n=${s.n} faults=[${faults}] partitions=${s.partitions.length} crashes=${s.crashes.length} drop=${s.network.dropRate.toFixed(3)} stableAt=${s.stableAtMs}${clock}`;
}
