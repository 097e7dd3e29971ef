/**
 * The signing fence of a resynced validator: the consensus driver neither sends nor records
 * in its WAL anything the engine signs at heights up to the fence, and signs as usual above it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ConsensusDriver } from "../../../src/node/consensus-driver.ts";
import { ConsensusWal } from "../../../src/node/consensus-wal.ts";
import { fixtureElection } from "../../support/election-fixture.ts";
import { openLevel } from "../../support/stored-chain.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const { setup } = fixtureElection();

/** A driver for the leader of (height, view 0) that proposes once; what it sent and logged. */
async function proposeAt(height: number, silentThrough: number) {
  const dir = mkdtempSync(join(tmpdir(), "saylau-fence-"));
  dirs.push(dir);
  const db = openLevel(dir);
  await db.open();
  const wal = new ConsensusWal(db, false);
  const self = height % 4; // leaderOf(height, 0, 4)
  const sent: { to: number | "all"; bytes: Uint8Array }[] = [];
  // The driver calls settled() once an input and all its actions are done.
  let settle = () => {};
  const settled = () => new Promise<void>((resolve) => (settle = resolve));
  const driver = new ConsensusDriver({
    electionId: setup.electionId,
    validators: setup.validators.map((v) => v.publicKey),
    self,
    seed: setup.validators[self]!.seed,
    startHeight: height,
    timeoutMs: 60_000,
    wal,
    logger: pino({ level: "silent" }),
    hooks: {
      send: (to, bytes) => sent.push({ to, bytes }),
      validate: async () => true,
      commit: async () => undefined,
      fetch: () => undefined,
      peerBehind: () => undefined,
      evidence: async () => undefined,
      dropped: () => undefined,
      settled: () => settle(),
    },
    silentThrough,
  });
  await driver.start();
  const proposed = settled();
  driver.propose(Uint8Array.of(1, 2, 3));
  await proposed;
  await driver.stop();
  const records = await wal.load(1);
  const top = await wal.highestHeight();
  await db.close();
  return { sent, records, top };
}

describe("a validator with a signing fence", () => {
  it("signs nothing it sends or records at heights up to the fence", async () => {
    const fenced = await proposeAt(5, 5);
    expect(fenced.sent).toEqual([]);
    expect(fenced.records).toEqual([]);
    expect(fenced.top).toBe(0);
  });

  it("proposes, sends and records as usual above the fence, or without one", async () => {
    for (const run of [await proposeAt(6, 5), await proposeAt(5, 0)]) {
      // Its PRE-PREPARE (and the leader's own PREPARE), each written to the WAL first.
      expect(run.sent.length).toBeGreaterThan(0);
      expect(run.sent.every((s) => s.to === "all")).toBe(true);
      expect(run.records).toHaveLength(run.sent.length);
    }
    expect((await proposeAt(6, 5)).top).toBe(6);
  });
});
