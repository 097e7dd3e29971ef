/** Scripted network scenarios on the simulator (the hand-driven ones are in test/unit). */
import { describe, expect, it } from "vitest";
import { leaderOf } from "../../src/consensus/index.ts";
import { Cluster, type Scenario } from "./cluster.ts";
import { LIVENESS_BOUND_MS, SIM_TIMEOUTS } from "./scenario.ts";

function scenario(overrides: Partial<Scenario>): Scenario {
  return {
    seed: 11,
    n: 4,
    faults: new Map(),
    network: { minDelayMs: 5, maxDelayMs: 20, dropRate: 0, duplicateRate: 0 },
    partitions: [],
    crashes: [],
    stableAtMs: 0,
    txTimesMs: [0, 10, 20],
    timeouts: SIM_TIMEOUTS,
    livenessBoundMs: LIVENESS_BOUND_MS,
    crypto: "stand-in",
    ...overrides,
  };
}

describe("scripted simulation scenarios", () => {
  it("leader partitioned away: the rest change view, decide, and the leader catches up after healing", () => {
    const leader = leaderOf(1, 0, 4);
    const others = [0, 1, 2, 3].filter((v) => v !== leader);
    const cluster = new Cluster(
      scenario({
        partitions: [{ startMs: 0, endMs: 8000, groups: [others, [leader]] }],
        stableAtMs: 8000,
      }),
    );
    const result = cluster.run();
    expect(result.violations).toEqual([]);
    const first = cluster.nodes[others[0]!]!.certificates[0]!;
    expect(first.view).toBeGreaterThanOrEqual(1);
    expect(cluster.nodes[leader]!.ledger.length).toBe(cluster.nodes[others[0]!]!.ledger.length);
  });

  it("leader crashes before proposing and stays down: the others change view", () => {
    const leader = leaderOf(1, 0, 4);
    const cluster = new Cluster(
      scenario({
        faults: new Map([[leader, "crash"]]),
        crashes: [{ validator: leader, atMs: 0, restartAtMs: null }],
        txTimesMs: [10, 20, 30],
      }),
    );
    const result = cluster.run();
    expect(result.violations).toEqual([]);
    expect(result.stats.viewChanges).toBeGreaterThan(0);
    const honest = cluster.nodes.find((n) => n.validator !== leader)!;
    expect(honest.certificates[0]!.view).toBeGreaterThanOrEqual(1);
  });

  it("every honest validator crashes and restarts from its WAL, repeatedly", () => {
    const crashes = [0, 1, 2, 3].flatMap((v) => [
      { validator: v, atMs: 3 + v * 7, restartAtMs: 500 + v * 100 },
      { validator: v, atMs: 1500 + v * 13, restartAtMs: 2500 },
    ]);
    const cluster = new Cluster(
      scenario({ crashes, stableAtMs: 3000, txTimesMs: [0, 5, 1600, 2000] }),
    );
    const result = cluster.run();
    expect(result.violations).toEqual([]);
  });

  it("twins (two engines, one key) and an equivocating leader: evidence, but no disagreement", () => {
    const cluster = new Cluster(
      scenario({
        n: 7,
        faults: new Map([
          [leaderOf(1, 0, 7), "equivocating-leader"],
          [leaderOf(2, 0, 7), "twins"],
        ]),
        txTimesMs: [0, 50, 100, 150],
      }),
    );
    const result = cluster.run();
    expect(result.violations).toEqual([]);
    expect(result.stats.evidence).toBeGreaterThan(0);
  });

  it("a leader proposing invalid blocks is voted out at once, not after a timeout", () => {
    const leader = leaderOf(1, 0, 4);
    const cluster = new Cluster(scenario({ faults: new Map([[leader, "invalid-proposer"]]) }));
    const result = cluster.run();
    expect(result.violations).toEqual([]);
    const firstDecision = cluster.txDecidedAt.get(1)!;
    expect(firstDecision).toBeLessThan(SIM_TIMEOUTS.baseMs);
  });
});
