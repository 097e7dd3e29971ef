/**
 * Coalesces point reads issued in the same turn of the event loop into one LevelDB
 * getMany: admission reads a credential record per transaction, and under load hundreds
 * arrive together.
 */
import type { Level } from "level";

export class BatchedReader {
  readonly #db: Level<Uint8Array, Uint8Array>;
  #pending: {
    key: Uint8Array;
    resolve: (v: Uint8Array | undefined) => void;
    reject: (e: Error) => void;
  }[] = [];
  #scheduled = false;

  constructor(db: Level<Uint8Array, Uint8Array>) {
    this.#db = db;
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ key, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return Promise.all(keys.map((k) => this.get(k)));
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    this.#db.getMany(batch.map((p) => p.key)).then(
      (values) => {
        batch.forEach((p, i) => {
          p.resolve(values[i]);
        });
      },
      (err: Error) => {
        for (const p of batch) p.reject(err);
      },
    );
  }
}
