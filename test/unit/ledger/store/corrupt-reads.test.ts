/**
 * Corruption found while running: a read LevelDB reports as damaged, or a stored value that
 * does not decode, is store/corrupt (remembered, and told to onCorrupt), never a codec error
 * blaming the caller and never LevelDB's raw error.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { leafHash } from "../../../../src/crypto/merkle.ts";
import type { SaylauError } from "../../../../src/errors.ts";
import { keys } from "../../../../src/ledger/store/keys.ts";
import { LedgerStore } from "../../../../src/ledger/store/ledger-store.ts";
import { tableIndex } from "../../../../src/ledger/store/leveldb-table.ts";
import { rawGenesis, rawNext, rawTx } from "../../../support/raw-chain.ts";
import { flushToTables } from "../../../support/stored-chain.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** 20 blocks of 3 transactions of 2 KB each, moved into a table file; the store is closed. */
async function storedRawChain(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "saylau-corrupt-reads-"));
  dirs.push(dir);
  const store = await LedgerStore.open(dir);
  const g = rawGenesis();
  await store.initialize(Uint8Array.of(9), g.block, Uint8Array.of(0));
  let tip = g.tip;
  for (let h = 1; h <= 20; h++) {
    const txs = [0, 1, 2].map((i) => {
      const tx = new Uint8Array(2048);
      tx.set(rawTx("corrupt", h * 10 + i));
      return tx;
    });
    const next = rawNext(tip, txs);
    await store.append({
      block: next.block,
      certificate: Uint8Array.of(1),
      state: Uint8Array.of(2),
      credentialWrites: [],
    });
    tip = next.tip;
  }
  await store.close();
  await flushToTables(dir);
  return dir;
}

/** Sets the compression type of the table block holding `key` to one LevelDB does not know. */
function damageBlockHolding(dir: string, key: Uint8Array): void {
  const name = readdirSync(dir).find((n) => n.endsWith(".ldb"))!;
  const file = new Uint8Array(readFileSync(join(dir, name)));
  // Index keys are LevelDB internal keys: the user key, then 8 bytes of sequence and type.
  const entry = tableIndex(file).index.find(
    (e) => Buffer.compare(e.key.subarray(0, e.key.length - 8), key) >= 0,
  )!;
  file[entry.handle.offset + entry.handle.size] = 0x07;
  writeFileSync(join(dir, name), file);
}

async function rejection(p: Promise<unknown>): Promise<SaylauError> {
  try {
    await p;
  } catch (err) {
    return err as SaylauError;
  }
  throw new Error("expected a rejection");
}

describe("a LedgerStore whose data goes bad while it runs", () => {
  it("maps LevelDB's corruption report on a read to store/corrupt and tells onCorrupt", async () => {
    const dir = await storedRawChain();
    damageBlockHolding(dir, keys.block(7));
    const store = await LedgerStore.open(dir);
    const told: SaylauError[] = [];
    store.onCorrupt = (err) => told.push(err);
    expect(store.corruption).toBeUndefined();
    // Block 20 (the head, read at open) lives in another block of the table and is fine.
    expect((await store.block(20))?.header.height).toBe(20);

    const err = await rejection(store.block(7));
    expect(err.code).toBe("store/corrupt");
    expect(err.message).toMatch(/^reading block 7: Corruption: bad block type/);
    expect(store.corruption).toBe(err);
    expect(told).toEqual([err]);

    const scan = async () => {
      for await (const _ of store.blocksInRange(1, 20)) {
        /* read them all */
      }
    };
    expect((await rejection(scan())).code).toBe("store/corrupt");
    await store.close();
  });

  it("a stored value that does not decode is store/corrupt, not the caller's codec error", async () => {
    const dir = await storedRawChain();
    const store = await LedgerStore.open(dir);
    const told: SaylauError[] = [];
    store.onCorrupt = (err) => told.push(err);
    await store.db.put(keys.block(3), Uint8Array.of(0xff, 0x00));
    const err = await rejection(store.block(3));
    expect(err).toMatchObject({ code: "store/corrupt", details: { height: 3 } });
    expect(err.message).toMatch(/^stored block 3 does not decode/);
    // A transaction location that does not decode either.
    const tx = new Uint8Array(2048);
    tx.set(rawTx("corrupt", 41));
    const id = leafHash(tx);
    expect(await store.txLocation(id)).toMatchObject({ height: 4, index: 1 });
    await store.db.put(keys.txLocation(id), Uint8Array.of(0x01));
    expect((await rejection(store.txLocation(id))).code).toBe("store/corrupt");
    expect(told.map((e) => e.code)).toEqual(["store/corrupt", "store/corrupt"]);
    await store.close();
  });
});
