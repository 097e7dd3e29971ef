/**
 * Random scenarios with validators' clocks (docs/CONSENSUS.md, "Block time and the
 * validators' clocks"): each is a randomScenario (network, partitions, crashes, workload)
 * whose faults are redrawn, plus clock offsets, all from the seed.
 *
 * - "within-f": at least one honest validator's clock is off by more than the bound, and
 *   skewed clocks and faults together are at most f. Every check holds, liveness included.
 * - "beyond-f": q - 1 validators are faulty or skewed, more than f. Blocks may stop (liveness
 *   is not required), but no two blocks are decided at a height, and every decided block's
 *   time lies within the bound of a correct clock (one of its q preparers has one).
 *
 * Correct clocks differ from the true time by up to JITTER_MS, so a faulty leader stamping
 * its bound ("clock-edge") splits the honest validators.
 */
import { faultTolerance, quorumSize } from "../../src/consensus/index.ts";
import type { FaultKind } from "./byzantine.ts";
import type { Scenario } from "./cluster.ts";
import { Rng } from "./rng.ts";
import { FAULT_KINDS, randomScenario, SIM_TIMEOUTS } from "./scenario.ts";

export type ClockSkew = "within-f" | "beyond-f";

/** The sim's maxClockSkewMs: 2.5 base timeouts, as 5 s is to the node's 2 s. */
export const SIM_MAX_SKEW_MS = 1000;
const JITTER_MS = 100;
/** How long a beyond-f run goes on after the network is stable: 2 maximal timeouts. */
const BEYOND_F_RUN_MS = 2 * SIM_TIMEOUTS.maxMs;
const CLOCK_FAULTS: readonly FaultKind[] = [...FAULT_KINDS, "clock-edge", "clock-edge"];

export function randomClockScenario(seed: number, n: number, skew: ClockSkew): Scenario {
  const rng = new Rng(Math.imul(seed, 0x27d4eb2d) ^ (n << 8) ^ (skew === "within-f" ? 1 : 2));
  const f = faultTolerance(n);
  const wrong = skew === "within-f" ? rng.int(1, f) : quorumSize(n) - 1;
  // Faulty validators (at most f), the rest of the wrong ones honest with skewed clocks.
  const faultCount = rng.int(0, Math.min(f, skew === "within-f" ? wrong : wrong - 1));
  const faultKinds = Array.from({ length: faultCount }, () => rng.pick(CLOCK_FAULTS));
  const base = randomScenario(seed, n, { faultKinds });
  const honest = [...Array(n).keys()].filter((v) => !base.faults.has(v));
  const skewed = new Set(rng.shuffle(honest).slice(0, wrong - faultCount));
  const offsetsMs = Array.from({ length: n }, (_, v) => {
    if (!skewed.has(v)) return rng.int(-JITTER_MS, JITTER_MS);
    const size = rng.chance(0.5)
      ? SIM_MAX_SKEW_MS + rng.int(1, SIM_MAX_SKEW_MS)
      : rng.int(2 * SIM_MAX_SKEW_MS, 60_000);
    return rng.chance(0.5) ? size : -size;
  });
  return {
    ...base,
    // Beyond f, the run only has to show safety: a stalled height churns views, each one a
    // refused proposal, so a shorter run keeps the test's time bounded.
    ...(skew === "beyond-f" ? { livenessBoundMs: BEYOND_F_RUN_MS } : {}),
    clock: { maxSkewMs: SIM_MAX_SKEW_MS, offsetsMs },
  };
}
