/**
 * A real LevelDB in a temporary directory whose writes (`put` and `batch`) are recorded and
 * held until the test releases them: a disk as slow as the test wants, to see what waits for
 * a write and which writes share one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";

export interface HeldWrite {
  /** Operations in this write (1 for a put). */
  readonly ops: number;
  /** Whether the write asked LevelDB to fsync. */
  readonly sync: boolean;
  /** Let the write go through to LevelDB. */
  release(): void;
  /** Fail the write instead. */
  fail(err: Error): void;
}

export async function slowStore() {
  const dir = mkdtempSync(join(tmpdir(), "saylau-slow-store-"));
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
  await db.open();
  const writes: HeldWrite[] = [];
  const hold = <T>(ops: number, options: unknown, write: () => Promise<T>): Promise<T> => {
    const gate = Promise.withResolvers<void>();
    writes.push({
      ops,
      sync: (options as { sync?: boolean } | undefined)?.sync === true,
      release: () => gate.resolve(),
      fail: (err) => gate.reject(err),
    });
    return gate.promise.then(write);
  };
  const put = db.put.bind(db);
  const batch = db.batch.bind(db);
  const patched = db as unknown as Record<string, unknown>;
  patched.put = (key: Uint8Array, value: Uint8Array, options?: unknown) =>
    hold(1, options, () => put(key, value, options as never));
  patched.batch = (ops: unknown[], options?: unknown) =>
    hold(ops.length, options, () => batch(ops as never, options as never));
  return {
    db,
    writes,
    /** Releases every write held so far, then lets LevelDB and the callbacks run. */
    async releaseAll(): Promise<void> {
      for (const w of writes) w.release();
      await settle();
    },
    async close(): Promise<void> {
      for (const w of writes) w.release();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lets pending I/O callbacks, immediates and promise reactions run (a few event-loop turns). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 2));
}
