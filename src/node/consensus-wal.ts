/**
 * The consensus engine's write-ahead log in LevelDB: records keyed by (height, sequence), so
 * a restart replays the records of the heights not yet decided, in the order written, and
 * decided heights are pruned with one range delete.
 */
import type { Level } from "level";
import { PREFIX, readU64, u64 } from "../ledger/store/keys.ts";

function walKey(height: number, seq: number): Uint8Array {
  const k = new Uint8Array(17);
  k[0] = PREFIX.wal;
  k.set(u64(height), 1);
  k.set(u64(seq), 9);
  return k;
}

export class ConsensusWal {
  readonly #db: Level<Uint8Array, Uint8Array>;
  readonly #sync: boolean;
  #seq = 0;

  constructor(db: Level<Uint8Array, Uint8Array>, sync: boolean) {
    this.#db = db;
    this.#sync = sync;
  }

  /** Records of heights >= fromHeight, in write order; also sets the next sequence number. */
  async load(fromHeight: number): Promise<Uint8Array[]> {
    const records: Uint8Array[] = [];
    for await (const [key, value] of this.#db.iterator({
      gte: walKey(fromHeight, 0),
      lt: Uint8Array.of(PREFIX.wal + 1),
    })) {
      this.#seq = Math.max(this.#seq, readU64(key, 9) + 1);
      records.push(value);
    }
    return records;
  }

  async append(height: number, record: Uint8Array): Promise<void> {
    await this.#db.put(walKey(height, this.#seq++), record, { sync: this.#sync } as never);
  }

  /** The highest height with a record (0: none); resync reads it from a damaged store. */
  async highestHeight(): Promise<number> {
    for await (const key of this.#db.keys({
      gte: Uint8Array.of(PREFIX.wal),
      lt: Uint8Array.of(PREFIX.wal + 1),
      reverse: true,
      limit: 1,
    })) {
      return readU64(key, 1);
    }
    return 0;
  }

  /** Forget the records of heights below `height` (they are decided and stored). */
  async pruneBelow(height: number): Promise<void> {
    await this.#db.clear({ gte: Uint8Array.of(PREFIX.wal), lt: walKey(height, 0) });
  }
}
