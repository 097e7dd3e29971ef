/**
 * The pending pool: transactions accepted (202) but not yet committed. Each one is written
 * to LevelDB, and by default synced, before the node answers, so a 202 survives a crash of
 * the node and a power loss; concurrent admissions share one fsync (group commit). A
 * transaction leaves the pool when a block commits it or when it can no longer apply.
 * Bounded by count and bytes: past either limit the node answers 503 and the client retries.
 */
import type { Level } from "level";
import { decodeCanonical, encodeCanonical } from "../codec/cbor.ts";
import { fromHex, toHex } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import { PREFIX, readU64, u64 } from "../ledger/store/keys.ts";
import { txId } from "../ledger/transactions.ts";
import { GroupCommit } from "./group-commit.ts";

interface Entry {
  readonly seq: number;
  readonly bytes: Uint8Array;
}

export interface MempoolLimits {
  readonly maxTxs: number;
  readonly maxBytes: number;
}

function droppedKey(idHex: string): Uint8Array {
  const k = new Uint8Array(33);
  k[0] = PREFIX.dropped;
  k.set(fromHex(idHex, 32), 1);
  return k;
}

function poolKey(seq: number): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = PREFIX.pool;
  k.set(u64(seq), 1);
  return k;
}

export class Mempool {
  readonly #db: Level<Uint8Array, Uint8Array>;
  readonly #limits: MempoolLimits;
  readonly #entries = new Map<string, Entry>();
  readonly #writer: GroupCommit;
  #bytes = 0;
  #nextSeq = 0;

  /** `sync: false` is unsafe: a power loss may lose transactions already answered 202. */
  constructor(db: Level<Uint8Array, Uint8Array>, limits: MempoolLimits, sync: boolean) {
    this.#db = db;
    this.#limits = limits;
    this.#writer = new GroupCommit(db, sync);
  }

  /** Reload persisted entries, dropping the ones `isCommitted` says are already in the ledger. */
  async load(isCommitted: (id: Uint8Array) => Promise<boolean>): Promise<number> {
    const stale: Uint8Array[] = [];
    for await (const [key, value] of this.#db.iterator({
      gte: Uint8Array.of(PREFIX.pool),
      lt: Uint8Array.of(PREFIX.pool + 1),
    })) {
      const seq = readU64(key, 1);
      this.#nextSeq = Math.max(this.#nextSeq, seq + 1);
      const id = txId(value);
      if (await isCommitted(id)) {
        stale.push(key);
        continue;
      }
      this.#entries.set(toHex(id), { seq, bytes: value });
      this.#bytes += value.length;
    }
    if (stale.length > 0) await this.#db.batch(stale.map((key) => ({ type: "del" as const, key })));
    return this.#entries.size;
  }

  has(idHex: string): boolean {
    return this.#entries.has(idHex);
  }

  get(idHex: string): Uint8Array | undefined {
    return this.#entries.get(idHex)?.bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Throws mempool/full when the pool cannot take `bytes` more. */
  checkRoom(bytes: number): void {
    if (
      this.#entries.size + 1 > this.#limits.maxTxs ||
      this.#bytes + bytes > this.#limits.maxBytes
    ) {
      throw new SaylauError("mempool/full", "the pending pool is full; retry shortly", {
        size: this.#entries.size,
      });
    }
  }

  /**
   * Persist (durably, by default) then hold a transaction. Returns false when it was already
   * pending.
   */
  async add(idHex: string, bytes: Uint8Array): Promise<boolean> {
    if (this.#entries.has(idHex)) return false;
    this.checkRoom(bytes.length);
    const seq = this.#nextSeq++;
    // Reserve before the write so two concurrent adds of one id cannot both pass.
    this.#entries.set(idHex, { seq, bytes });
    this.#bytes += bytes.length;
    try {
      await this.#writer.write([{ type: "put", key: poolKey(seq), value: bytes }]);
    } catch (err) {
      this.#entries.delete(idHex);
      this.#bytes -= bytes.length;
      throw err;
    }
    return true;
  }

  /** Pending transactions by id, oldest first. */
  *entries(): IterableIterator<[string, Uint8Array]> {
    for (const [id, entry] of this.#entries) yield [id, entry.bytes];
  }

  /** Up to `maxTxs` pending transactions, oldest first, optionally only those `accept` takes. */
  candidates(maxTxs: number, accept?: (idHex: string) => boolean): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const [id, entry] of this.#entries) {
      if (out.length >= maxTxs) break;
      if (accept === undefined || accept(id)) out.push(entry.bytes);
    }
    return out;
  }

  /**
   * Remove pending transactions that can no longer be committed, and record why, in the same
   * LevelDB batch: whoever was answered 202 for one can still learn what became of it.
   */
  async drop(dropped: readonly { id: string; code: string; message: string }[]): Promise<void> {
    const ops: (
      | { type: "del"; key: Uint8Array }
      | { type: "put"; key: Uint8Array; value: Uint8Array }
    )[] = [];
    for (const d of dropped) {
      const entry = this.#entries.get(d.id);
      if (entry === undefined) continue;
      this.#entries.delete(d.id);
      this.#bytes -= entry.bytes.length;
      ops.push({ type: "del", key: poolKey(entry.seq) });
      ops.push({
        type: "put",
        key: droppedKey(d.id),
        value: encodeCanonical({ code: d.code, message: d.message }),
      });
    }
    if (ops.length > 0) await this.#db.batch(ops);
  }

  /** Why a transaction was dropped from this pool, if it was. */
  async dropReason(idHex: string): Promise<{ code: string; message: string } | undefined> {
    const value = await this.#db.get(droppedKey(idHex));
    if (value === undefined) return undefined;
    const reason = decodeCanonical(value) as { code: string; message: string };
    return { code: String(reason.code), message: String(reason.message) };
  }

  async remove(idHexes: Iterable<string>): Promise<void> {
    const keys: Uint8Array[] = [];
    for (const id of idHexes) {
      const entry = this.#entries.get(id);
      if (entry === undefined) continue;
      this.#entries.delete(id);
      this.#bytes -= entry.bytes.length;
      keys.push(poolKey(entry.seq));
    }
    if (keys.length > 0) await this.#db.batch(keys.map((key) => ({ type: "del" as const, key })));
  }
}
