/**
 * The simulation must catch deliberately broken engines. Seeds found by searching seeds
 * 1..300 (N=4) with `npx node test/sim/soak.ts --mutation <m>`; each must still fail.
 */
import { describe, expect, it } from "vitest";
import { runSeed } from "./run-seeds.ts";

describe("mutation tests: the simulation catches a broken engine", () => {
  it("quorum 2f instead of q: certificates fall short, and honest replicas disagree", () => {
    for (const seed of [24, 27, 37, 85, 97]) {
      const kinds = new Set(
        runSeed(seed, 4, { mutation: "quorum-2f" }).violations.map((v) => v.kind),
      );
      expect([...kinds], `seed ${seed}`).toContain("agreement");
      expect([...kinds], `seed ${seed}`).toContain("certificate");
      // The correct engine passes the very same scenario.
      expect(runSeed(seed, 4).violations, `seed ${seed} unmutated`).toEqual([]);
    }
  });

  it("skipping the WAL on restart: a restarted honest validator signs two values for one (h, v, phase)", () => {
    for (const seed of [63, 68, 97, 121]) {
      const violations = runSeed(seed, 4, { mutation: "skip-wal-on-restore" }).violations;
      expect(
        violations.map((v) => v.kind),
        `seed ${seed}`,
      ).toContain("honest-evidence");
      expect(runSeed(seed, 4).violations, `seed ${seed} unmutated`).toEqual([]);
    }
  });
});
