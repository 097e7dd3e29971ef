/**
 * The store keeps the state after the head block only: a national election's state (200
 * districts' tallies) is about 300 KB, so one per height would outweigh the blocks
 * (bench/scale.ts measured it at over 90% of a validator's records).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keys, PREFIX, readU64 } from "../../../../src/ledger/store/keys.ts";
import { LedgerStore } from "../../../../src/ledger/store/ledger-store.ts";
import { rawGenesis, rawNext, rawTx } from "../../../support/raw-chain.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function storedStateHeights(store: LedgerStore): Promise<number[]> {
  const heights: number[] = [];
  for await (const k of store.db.keys({
    gte: keys.prefixStart(PREFIX.state),
    lt: keys.prefixEnd(PREFIX.state),
  })) {
    heights.push(readU64(k, 1));
  }
  return heights;
}

describe("LedgerStore keeps the head's state only", () => {
  it("replaces the previous state in the batch that appends a block, and reopens from it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "saylau-head-state-"));
    dirs.push(dir);
    let store = await LedgerStore.open(dir);
    const g = rawGenesis();
    await store.initialize(new Uint8Array([9]), g.block, Uint8Array.of(0));
    let tip = g.tip;
    for (let h = 1; h <= 5; h++) {
      const next = rawNext(tip, [rawTx("a", h)]);
      await store.append({
        block: next.block,
        certificate: Uint8Array.of(1),
        state: Uint8Array.of(100 + h),
        credentialWrites: [],
      });
      tip = next.tip;
      expect(await storedStateHeights(store)).toEqual([h]);
    }
    expect([...(await store.stateAt(5))!]).toEqual([105]);
    expect(await store.stateAt(4)).toBeUndefined();
    await store.close();
    store = await LedgerStore.open(dir);
    expect(store.head().height).toBe(5);
    expect([...(await store.stateAt(store.head().height))!]).toEqual([105]);
    await store.close();
  });
});
