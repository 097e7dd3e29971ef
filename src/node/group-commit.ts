/**
 * Group commit for LevelDB writes that must be durable before the caller acts on them (the
 * consensus WAL before a message is sent, a pending transaction before its 202).
 *
 * An fsync costs milliseconds whatever it carries, so paying one per write would cap a
 * validator at a few hundred writes a second. Instead, writes handed in while a batch is
 * being written (and synced) wait and go together as the next batch: N concurrent writers
 * pay for about one fsync, not N. The first batch also gathers what arrives in the same
 * event-loop turn (a request of many transactions, the actions of one consensus input).
 *
 * Batches reach LevelDB one at a time, in the order their writes were handed in, so a write
 * that resolved implies every earlier one of this writer was written too (LevelDB keeps one
 * log, and an fsync flushes all of it).
 */

export type WriteOp =
  | { readonly type: "put"; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: Uint8Array };

/** The part of a LevelDB handle this needs (ClassicLevel's `batch`, `sync` per write). */
export interface BatchStore {
  batch(ops: WriteOp[], options: { sync: boolean }): Promise<void>;
}

interface Group {
  readonly ops: WriteOp[];
  readonly done: PromiseWithResolvers<void>;
}

export class GroupCommit {
  readonly #db: BatchStore;
  readonly #sync: boolean;
  /** Writes waiting for the next batch. */
  #next: Group | undefined;
  /** A batch is being written (or about to be, at the next turn of the event loop). */
  #busy = false;

  /** `sync: false` gives up durability against power loss (not against a killed process). */
  constructor(db: BatchStore, sync: boolean) {
    this.#db = db;
    this.#sync = sync;
  }

  /** Resolves once `ops` are written (and synced, if this writer syncs). */
  write(ops: readonly WriteOp[]): Promise<void> {
    if (this.#next === undefined) {
      this.#next = { ops: [], done: Promise.withResolvers<void>() };
    }
    for (const op of ops) this.#next.ops.push(op);
    const written = this.#next.done.promise;
    if (!this.#busy) {
      this.#busy = true;
      setImmediate(() => void this.#flush());
    }
    return written;
  }

  async #flush(): Promise<void> {
    // One batch after another: writes that arrived during a batch form the next one.
    for (let group = this.#next; group !== undefined; group = this.#next) {
      this.#next = undefined;
      try {
        await this.#db.batch(group.ops, { sync: this.#sync });
        group.done.resolve();
      } catch (err) {
        group.done.reject(err);
      }
    }
    this.#busy = false;
  }
}
