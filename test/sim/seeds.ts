/** Shared body of the many-seed suites: run a seed range, fail naming every bad seed. */
import { expect, it } from "vitest";
import { range, replayCommand, runSeeds, type SeedRunOptions } from "./run-seeds.ts";

/**
 * A suite's work is fixed (seeded, no timers), only its wall time varies with the machine's
 * load: N=20 over 100 seeds took 69-106 s on a shared, loaded 2-core machine, past the
 * default 60 s.
 */
const SEED_SUITE_TIMEOUT_MS = 240_000;

export function seedSuite(
  n: number,
  from: number,
  count: number,
  options: SeedRunOptions = {},
): void {
  it(
    `N=${n}: seeds ${from}..${from + count - 1} keep agreement, certificates, prefixes and liveness`,
    () => {
      const failures = runSeeds(range(from, count), n, options);
      const report = failures.map(
        (f) => `${f.description}\n  ${f.violations.join("\n  ")}\n  replay: ${replayCommand(f)}`,
      );
      expect(report, report.join("\n")).toEqual([]);
    },
    SEED_SUITE_TIMEOUT_MS,
  );
}
