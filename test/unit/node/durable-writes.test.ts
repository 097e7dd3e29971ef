/**
 * The consensus WAL and the pending pool write durably by default (fsync), and group their
 * writes: what is handed in while a write is on its way to disk goes in one next write, so N
 * concurrent writers pay for far fewer than N fsyncs. A held ("slow") store shows both.
 */
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.ts";
import { ConsensusWal } from "../../../src/node/consensus-wal.ts";
import { Mempool } from "../../../src/node/mempool.ts";
import { until } from "../../support/cluster.ts";
import { settle, slowStore } from "../../support/slow-store.ts";

const stores: Awaited<ReturnType<typeof slowStore>>[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function store() {
  const s = await slowStore();
  stores.push(s);
  return s;
}

const record = (i: number) => Uint8Array.of(0xa0, i);
const LIMITS = { maxTxs: 1000, maxBytes: 1 << 20 };

describe("consensus WAL writes", () => {
  it("are synced, and appends made while one is being written share the next write", async () => {
    const s = await store();
    const wal = new ConsensusWal(s.db, true);
    const N = 20;
    const written: number[] = [];
    const appends: Promise<void>[] = [];
    // The first append alone, then the others across several event-loop turns while the
    // first is still on its way to disk.
    appends.push(wal.append(1, record(0)).then(() => void written.push(0)));
    await until("the first write to be issued", () => s.writes.length === 1);
    for (let i = 1; i < N; i++) {
      appends.push(wal.append(1, record(i)).then(() => void written.push(i)));
      if (i % 5 === 0) await settle(1);
    }
    await settle();
    expect(written).toEqual([]); // nothing is reported written before the disk says so
    expect(s.writes).toHaveLength(1);

    s.writes[0]!.release();
    await until("the first append to resolve", () => written.length === 1);
    expect(written).toEqual([0]);
    // The 19 others go in one write, issued once the first is done.
    expect(s.writes.map((w) => w.ops)).toEqual([1, N - 1]);
    s.writes[1]!.release();
    await Promise.all(appends);
    expect(written).toHaveLength(N);
    expect(s.writes.every((w) => w.sync)).toBe(true);
    expect(s.writes.length).toBeLessThan(N);

    // Written in the order appended.
    const reloaded = new ConsensusWal(s.db, true);
    expect((await reloaded.load(1)).map((r) => r[1])).toEqual(
      Array.from({ length: N }, (_, i) => i),
    );
  });

  it("prunes a decided height only after a synced write, which puts the block commit on disk", async () => {
    const s = await store();
    const wal = new ConsensusWal(s.db, true);
    const appended = Promise.all([wal.append(1, record(1)), wal.append(2, record(2))]);
    await until("the appends to be issued", () => s.writes.length === 1);
    s.writes[0]!.release();
    await appended;
    // (Here the node stores block 1, unsynced; then the driver prunes.)
    const pruned = wal.pruneBelow(2);
    await until("the synced write to be issued", () => s.writes.length === 2);
    expect(s.writes[1]!.sync).toBe(true);
    await settle();
    expect((await wal.load(1)).map((r) => r[1])).toEqual([1, 2]); // not deleted before it
    s.writes[1]!.release();
    await pruned;
    expect((await wal.load(1)).map((r) => r[1])).toEqual([2]);
  });

  it("the unsafe setting writes without fsync", async () => {
    const s = await store();
    const wal = new ConsensusWal(s.db, false);
    const done = Promise.all([wal.append(1, record(0)), wal.append(1, record(1))]);
    await until("the write to be issued", () => s.writes.length === 1);
    s.writes[0]!.release();
    await done;
    expect(s.writes.map((w) => [w.ops, w.sync])).toEqual([[2, false]]);
  });

  it("a failed write fails its appends, and later appends still go in order", async () => {
    const s = await store();
    const wal = new ConsensusWal(s.db, true);
    const first = wal.append(1, record(0));
    await until("the write to be issued", () => s.writes.length === 1);
    const second = wal.append(1, record(1));
    s.writes[0]!.fail(new Error("disk full"));
    await expect(first).rejects.toThrow("disk full");
    await until("the next write to be issued", () => s.writes.length === 2);
    s.writes[1]!.release();
    await second;
    expect((await wal.load(1)).map((r) => r[1])).toEqual([1]);
  });
});

describe("pending pool writes", () => {
  it("are synced before add() resolves (the 202), and concurrent adds share writes", async () => {
    const s = await store();
    const pool = new Mempool(s.db, LIMITS, true);
    const N = 30;
    const added: string[] = [];
    const adds: Promise<boolean>[] = [];
    const id = (i: number) => toHex(new Uint8Array(32).fill(i + 1));
    for (let i = 0; i < N; i++) {
      adds.push(
        pool.add(id(i), Uint8Array.of(i)).then((ok) => {
          added.push(id(i));
          return ok;
        }),
      );
      // Admissions finish their checks at different moments: spread over event-loop turns.
      if (i % 4 === 3) await settle(1);
    }
    await settle();
    expect(added).toEqual([]);
    expect(pool.size).toBe(N); // held (so a duplicate is refused) while being written
    expect(s.writes).toHaveLength(1);
    while (added.length < N) {
      const before = s.writes.length;
      for (const w of s.writes) w.release();
      await until("a write to complete", () => s.writes.length > before || added.length === N);
    }
    expect(await Promise.all(adds)).toEqual(Array(N).fill(true));
    expect(s.writes.every((w) => w.sync)).toBe(true);
    expect(s.writes.reduce((n, w) => n + w.ops, 0)).toBe(N);
    // One write for the first turn's adds, one for everything that came while it was held.
    expect(s.writes).toHaveLength(2);

    const reloaded = new Mempool(s.db, LIMITS, true);
    expect(await reloaded.load(async () => false)).toBe(N);
  });

  it("a failed write rejects its adds and frees their room", async () => {
    const s = await store();
    const pool = new Mempool(s.db, LIMITS, true);
    const add = pool.add("aa".repeat(32), Uint8Array.of(1));
    await until("the write to be issued", () => s.writes.length === 1);
    s.writes[0]!.fail(new Error("disk full"));
    await expect(add).rejects.toThrow("disk full");
    expect(pool.size).toBe(0);
    expect(pool.bytes).toBe(0);
  });

  it("the unsafe setting writes without fsync", async () => {
    const s = await store();
    const pool = new Mempool(s.db, LIMITS, false);
    const add = pool.add("bb".repeat(32), Uint8Array.of(1));
    await until("the write to be issued", () => s.writes.length === 1);
    s.writes[0]!.release();
    await add;
    expect(s.writes.map((w) => w.sync)).toEqual([false]);
  });
});
