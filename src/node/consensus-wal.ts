/**
 * The consensus engine's write-ahead log in LevelDB: records keyed by (height, sequence), so
 * a restart replays the records of the heights not yet decided, in the order written, and
 * decided heights are pruned with one range delete.
 *
 * Appends go through a group commit: synced by default (a record must survive a power loss,
 * or the validator could sign, after restarting, a statement contradicting one it sent), and
 * records appended while an fsync runs share the next one.
 */
import type { Level } from "level";
import { PREFIX, readU64, u64 } from "../ledger/store/keys.ts";
import { GroupCommit } from "./group-commit.ts";

function walKey(height: number, seq: number): Uint8Array {
  const k = new Uint8Array(17);
  k[0] = PREFIX.wal;
  k.set(u64(height), 1);
  k.set(u64(seq), 9);
  return k;
}

export class ConsensusWal {
  readonly #db: Level<Uint8Array, Uint8Array>;
  readonly #writer: GroupCommit;
  #seq = 0;

  /** `sync: false` is unsafe: a power loss may lose records whose messages were sent. */
  constructor(db: Level<Uint8Array, Uint8Array>, sync: boolean) {
    this.#db = db;
    this.#writer = new GroupCommit(db, sync);
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

  /**
   * Resolves once the record is written (and synced, by default). Records are written in the
   * order appended, so one resolving means every earlier one is written too.
   */
  append(height: number, record: Uint8Array): Promise<void> {
    return this.#writer.write([{ type: "put", key: walKey(height, this.#seq++), value: record }]);
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

  /**
   * Forget the records of heights below `height`, once the blocks that decided them are
   * stored: call it after the commit's write resolved.
   */
  async pruneBelow(height: number): Promise<void> {
    // The block commit itself is not synced. A synced write issued after it flushes LevelDB's
    // log up to and including the commit, so the records are deleted only once the block is
    // on disk: a power loss cannot take the block and leave the deletion. (A delete of a key
    // no record has; it joins the group commit, after the appends in flight, so none of them
    // lands behind the range delete.)
    await this.#writer.write([{ type: "del", key: Uint8Array.of(PREFIX.wal) }]);
    await this.#db.clear({ gte: Uint8Array.of(PREFIX.wal), lt: walKey(height, 0) });
  }
}
