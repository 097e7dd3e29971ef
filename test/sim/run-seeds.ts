/** Runs many seeds and collects the failures; shared by the vitest suites and soak.ts. */
import type { UnsafeTestMutation } from "../../src/consensus/index.ts";
import { type ClockSkew, randomClockScenario } from "./clock-scenario.ts";
import { Cluster, type RunResult } from "./cluster.ts";
import { describeScenario, randomScenario } from "./scenario.ts";
import type { CryptoKind } from "./sim-crypto.ts";

export interface SeedFailure {
  readonly seed: number;
  readonly n: number;
  readonly description: string;
  readonly violations: string[];
}

export interface SeedRunOptions {
  readonly crypto?: CryptoKind;
  readonly mutation?: UnsafeTestMutation;
  /** Validators with skewed clocks (clock-scenario.ts) instead of the usual scenarios. */
  readonly clock?: ClockSkew;
}

export function runSeed(seed: number, n: number, options: SeedRunOptions = {}): RunResult {
  const scenario =
    options.clock === undefined
      ? randomScenario(seed, n, options)
      : randomClockScenario(seed, n, options.clock);
  return new Cluster(scenario).run();
}

export function runSeeds(
  seeds: Iterable<number>,
  n: number,
  options: SeedRunOptions = {},
): SeedFailure[] {
  const failures: SeedFailure[] = [];
  for (const seed of seeds) {
    const result = runSeed(seed, n, options);
    if (result.violations.length > 0) {
      failures.push({
        seed,
        n,
        description: describeScenario(result.scenario),
        violations: result.violations.map((v) => `${v.kind} @${v.atMs}ms: ${v.detail}`),
      });
    }
  }
  return failures;
}

/** How to replay one seed by hand. */
export function replayCommand(
  failure: { seed: number; n: number },
  mutation?: string,
  clock?: ClockSkew,
): string {
  const extra = (mutation ? ` --mutation ${mutation}` : "") + (clock ? ` --clock ${clock}` : "");
  return `npx node test/sim/soak.ts --n ${failure.n} --from ${failure.seed} --seeds 1${extra} --verbose`;
}

export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}
