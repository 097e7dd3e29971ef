/**
 * The cost of durable writes on this machine's disk, and what group commit buys back:
 * 1,500-byte records (about a register transaction) written to a real LevelDB, by
 * `writers` concurrent writers each awaiting its write before the next (as concurrent
 * admissions do), in five ways:
 *   - unsynced, each write its own LevelDB put (the old pool's setting, without grouping);
 *   - unsynced, through the group commit (walSync / mempoolSync false);
 *   - synced, each write its own put, one writer (an fsync per write, in a row);
 *   - synced, each write its own put, concurrent writers (what LevelDB groups by itself);
 *   - synced, through the group commit (the default).
 * Every mode runs in the same process against a fresh store, `rounds` times in turn (the
 * order rotating), and the best round of each is reported, with writes per fsync.
 *
 *   npx node bench/durable-writes.ts [--writes 2000 --writers 64 --rounds 3]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Level } from "level";
import { table } from "../src/cli/output.ts";
import { GroupCommit, type WriteOp } from "../src/node/group-commit.ts";

const { values } = parseArgs({
  options: {
    writes: { type: "string", default: "2000" },
    writers: { type: "string", default: "64" },
    rounds: { type: "string", default: "3" },
  },
});
const WRITES = Number(values.writes);
const WRITERS = Number(values.writers);
const ROUNDS = Number(values.rounds);
const VALUE = new Uint8Array(1500).fill(7);

type Db = Level<Uint8Array, Uint8Array>;
interface Mode {
  readonly label: string;
  readonly writers: number;
  /** Makes the write function for one fresh store; counts the LevelDB writes issued. */
  make(db: Db, counted: () => void): (key: Uint8Array) => Promise<void>;
}

function put(sync: boolean) {
  return (db: Db, counted: () => void) => (key: Uint8Array) => {
    counted();
    return db.put(key, VALUE, { sync } as never);
  };
}

function grouped(sync: boolean) {
  return (db: Db, counted: () => void) => {
    const counting = {
      batch: (ops: WriteOp[], options: { sync: boolean }) => {
        counted();
        return db.batch(ops, options);
      },
    };
    const writer = new GroupCommit(counting, sync);
    return (key: Uint8Array) => writer.write([{ type: "put", key, value: VALUE }]);
  };
}

const MODES: Mode[] = [
  { label: "unsynced, a put per write", writers: WRITERS, make: put(false) },
  { label: "unsynced, group commit", writers: WRITERS, make: grouped(false) },
  { label: "synced, a put per write, 1 writer", writers: 1, make: put(true) },
  { label: `synced, a put per write, ${WRITERS} writers`, writers: WRITERS, make: put(true) },
  { label: "synced, group commit", writers: WRITERS, make: grouped(true) },
];

interface Result {
  readonly perSecond: number;
  readonly meanMs: number;
  readonly dbWrites: number;
}

async function measure(mode: Mode): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "saylau-durable-writes-"));
  const db: Db = new Level(dir, { keyEncoding: "view", valueEncoding: "view" });
  await db.open();
  try {
    let dbWrites = 0;
    const write = mode.make(db, () => dbWrites++);
    // Fewer writes for one synced writer: it is slow, and its rate does not depend on count.
    const total = mode.writers === 1 ? Math.min(WRITES, 300) : WRITES;
    let next = 0;
    let latency = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: mode.writers }, async () => {
        for (let i = next++; i < total; i = next++) {
          const key = new Uint8Array(8);
          new DataView(key.buffer).setUint32(4, i);
          const t = performance.now();
          await write(key);
          latency += performance.now() - t;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: total / seconds, meanMs: latency / total, dbWrites: dbWrites / total };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const best = new Map<string, Result>();
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < MODES.length; k++) {
    const mode = MODES[(k + round) % MODES.length]!;
    const r = await measure(mode);
    const prev = best.get(mode.label);
    if (prev === undefined || r.perSecond > prev.perSecond) best.set(mode.label, r);
  }
}

console.log(
  `\nNode ${process.version}; ${WRITES} writes of ${VALUE.length} bytes; best of ${ROUNDS} rounds\n`,
);
console.log(
  table([
    ["mode", "writers", "writes/s", "mean ms per write", "LevelDB writes per write"],
    ...MODES.map((m) => {
      const r = best.get(m.label)!;
      return [
        m.label,
        m.writers,
        Math.round(r.perSecond),
        Number(r.meanMs.toFixed(3)),
        Number(r.dbWrites.toFixed(3)),
      ];
    }),
  ]),
);
