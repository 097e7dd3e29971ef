/** Shared body of the many-seed suites: run a seed range, fail naming every bad seed. */
import { expect, it } from "vitest";
import { range, replayCommand, runSeeds, type SeedRunOptions } from "./run-seeds.ts";

export function seedSuite(
  n: number,
  from: number,
  count: number,
  options: SeedRunOptions = {},
): void {
  it(`N=${n}: seeds ${from}..${from + count - 1} keep agreement, certificates, prefixes and liveness`, () => {
    const failures = runSeeds(range(from, count), n, options);
    const report = failures.map(
      (f) => `${f.description}\n  ${f.violations.join("\n  ")}\n  replay: ${replayCommand(f)}`,
    );
    expect(report, report.join("\n")).toEqual([]);
  });
}
