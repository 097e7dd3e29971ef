/**
 * The block builder against its injected clock: a fresh proposal is refused when its time is
 * more than maxClockSkewMs from the validator's clock, ahead or behind, and accepted at the
 * bound; a re-proposal forced by a NEW-VIEW is not held to it; the proposer stamps its clock,
 * never below the parent's time, and builds its candidate again once it has gone stale.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.ts";
import { decodeBlock, encodeBlock, headerHash } from "../../../src/ledger/block.ts";
import { txId } from "../../../src/ledger/transactions.ts";
import { BlockBuilder, type BlockBuilderParts } from "../../../src/node/block-builder.ts";
import { LedgerReplica } from "../../../src/node/ledger-replica.ts";
import { createMetrics } from "../../../src/node/metrics.ts";
import { approvalTx, fixtureElection } from "../../support/election-fixture.ts";

const BOUND = 5000;
/** The fixture manifest's createdAt: the genesis block's time. */
const GENESIS_TIME = 1_780_000_000_000;
const T = GENESIS_TIME + 60_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(self = 0) {
  const { setup } = fixtureElection();
  const dir = mkdtempSync(join(tmpdir(), "saylau-builder-"));
  const replica = await LedgerReplica.open(join(dir, "chain"), setup.manifestBytes);
  cleanups.push(async () => {
    await replica.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const tx = approvalTx(setup);
  const verified = new Set([toHex(txId(tx))]);
  let clock = T;
  const proposed: Uint8Array[] = [];
  const parts: BlockBuilderParts = {
    self,
    blockMaxTxs: 100,
    maxClockSkewMs: BOUND,
    now: () => clock,
    log: pino({ level: "silent" }),
    metrics: createMetrics(),
    replica,
    mempool: {
      size: 1,
      candidates: () => [tx],
      drop: async () => {},
      remove: async () => {},
    } as unknown as BlockBuilderParts["mempool"],
    pool: {} as BlockBuilderParts["pool"],
    verified,
    driver: {
      engine: { height: 1, view: 0, pendingView: null },
      failure: undefined,
      propose: (payload: Uint8Array) => void proposed.push(payload),
    } as unknown as BlockBuilderParts["driver"],
    latency: {} as BlockBuilderParts["latency"],
    isStopping: () => false,
    reverifyPending: () => {},
  };
  const builder = new BlockBuilder(parts);
  /** A block at height 1 holding the phase transaction, stamped `time`. */
  const blockAt = async (time: number) => {
    const built = await replica.propose([tx], { time, proposer: 1, verified });
    return { payload: encodeBlock(built.block), hash: built.hash };
  };
  return {
    builder,
    blockAt,
    proposed,
    setClock: (t: number) => {
      clock = t;
    },
  };
}

/** Lets the builder's promise chain run (maybePropose does not return it). */
async function settled(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe("block builder and the validator's clock", () => {
  it("refuses a fresh proposal whose time is beyond the bound either way, accepts one at the bound", async () => {
    const { builder, blockAt, setClock } = await setup();
    const block = await blockAt(T);
    const verdictAt = async (clock: number, reproposal = false) => {
      setClock(clock);
      return builder.validateProposal(1, block.hash, block.payload, reproposal);
    };
    expect(await verdictAt(T)).toBe(true);
    // This validator's clock is ahead: the block looks back-dated.
    expect(await verdictAt(T + BOUND)).toBe(true);
    expect(await verdictAt(T + BOUND + 1)).toBe(false);
    expect(await verdictAt(T + 3_600_000)).toBe(false);
    // This validator's clock is behind: the block looks forward-dated.
    expect(await verdictAt(T - BOUND)).toBe(true);
    expect(await verdictAt(T - BOUND - 1)).toBe(false);
    expect(await verdictAt(T - 3_600_000)).toBe(false);
  });

  it("judges a proposal at its arrival: time it waited in this node's queue is not held against it", async () => {
    const { builder, blockAt, setClock } = await setup();
    const block = await blockAt(T);
    setClock(T + BOUND + 20_000); // validated 25 s after the block time...
    expect(await builder.validateProposal(1, block.hash, block.payload, false, 20_000)).toBe(
      true, // ...but it arrived 20 s ago, within the bound
    );
    expect(await builder.validateProposal(1, block.hash, block.payload, false, 19_999)).toBe(false);
    // A wait never moves the arrival later, so it cannot excuse a forward-dated block.
    setClock(T - BOUND - 1);
    expect(await builder.validateProposal(1, block.hash, block.payload, false, -50_000)).toBe(
      false,
    );
  });

  it("accepts a re-proposal forced by a NEW-VIEW whatever its time", async () => {
    const { builder, blockAt, setClock } = await setup();
    const block = await blockAt(T);
    setClock(T + 10 * BOUND);
    expect(await builder.validateProposal(1, block.hash, block.payload, true)).toBe(true);
    setClock(T - 10 * BOUND);
    expect(await builder.validateProposal(1, block.hash, block.payload, true)).toBe(true);
  });

  it("stamps its own clock, but never below the parent's time", async () => {
    const { builder, proposed, setClock } = await setup(1); // leader of height 1, view 0
    setClock(GENESIS_TIME - 3_600_000); // an hour behind the genesis block
    builder.maybePropose();
    await settled();
    expect(proposed.length).toBe(1);
    expect(decodeBlock(proposed[0]!).header.time).toBe(GENESIS_TIME);
  });

  it("builds its candidate again once it is older than half the bound (not the leader)", async () => {
    const { builder, proposed, setClock } = await setup(0); // the leader is validator 1
    setClock(T);
    builder.maybePropose();
    await settled();
    setClock(T + BOUND / 2);
    builder.maybePropose();
    await settled();
    expect(proposed.map((p) => decodeBlock(p).header.time)).toEqual([T]);
    setClock(T + BOUND / 2 + 1);
    builder.maybePropose();
    await settled();
    const times = proposed.map((p) => decodeBlock(p).header.time);
    expect(times).toEqual([T, T + BOUND / 2 + 1]);
    // Each is a different block, and the builder knows both as its own (valid).
    const hashes = proposed.map((p) => toHex(headerHash(decodeBlock(p).header)));
    expect(new Set(hashes).size).toBe(2);
  });

  it("as the leader, does not rebuild the block it proposed in this view, however old", async () => {
    const { builder, proposed, setClock } = await setup(1); // leader of height 1, view 0
    setClock(T);
    builder.maybePropose();
    await settled();
    setClock(T + 10 * BOUND);
    builder.maybePropose();
    await settled();
    expect(proposed.map((p) => decodeBlock(p).header.time)).toEqual([T]);
  });
});
