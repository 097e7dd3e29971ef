/**
 * A stopped validator's data directory holding a real certified chain (the audit tests'
 * fixture election, committed through LedgerReplica exactly as a validator commits), and
 * the ways the store tests damage a copy of it.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { utf8 } from "../../src/crypto/bytes.ts";
import { sha256 } from "../../src/crypto/hash.ts";
import { seededRng } from "../../src/election/rng.ts";
import { decodeBlock } from "../../src/ledger/block.ts";
import { LedgerReplica } from "../../src/node/ledger-replica.ts";
import { type BuiltElection, buildElection } from "../unit/audit/record.ts";

export type LevelDb = Level<Uint8Array, Uint8Array>;

export function openLevel(dir: string): LevelDb {
  return new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
}

/** Opens and closes the database: LevelDB moves what its log holds into a table file. */
export async function flushToTables(dir: string): Promise<void> {
  const db = openLevel(dir);
  await db.open();
  await db.close();
}

/** The fixture election (11 blocks) committed into a new data directory under `root`. */
export async function storedChain(root: string): Promise<{ built: BuiltElection; dir: string }> {
  const built = buildElection();
  const dir = join(root, "chain");
  const replica = await LedgerReplica.open(dir, built.setup.manifestBytes);
  try {
    for (const entry of built.entries) {
      const next = await replica.validate(decodeBlock(entry.block), new Set());
      await replica.commit(next, entry.certificate!);
    }
  } finally {
    await replica.close();
  }
  await flushToTables(dir);
  return { built, dir };
}

/** A copy of a stopped validator's data directory, to damage. */
export function copyDir(dir: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), "saylau-copy-")), "data");
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** The largest table file of a data directory. */
export function largestTable(dir: string): string {
  const tables = readdirSync(dir)
    .filter((n) => n.endsWith(".ldb"))
    .map((n) => ({ path: join(dir, n), size: statSync(join(dir, n)).size }))
    .sort((a, b) => b.size - a.size);
  if (tables.length === 0) throw new Error(`no table file in ${dir}`);
  return tables[0]!.path;
}

/** Flips `count` bytes (each XORed with a nonzero byte) at seeded distinct offsets of a file. */
export function flipBytes(path: string, count: number, seed: string): void {
  const file = new Uint8Array(readFileSync(path));
  const rng = seededRng(sha256(utf8(seed)));
  const done = new Set<number>();
  while (done.size < Math.min(count, file.length)) {
    const r = rng(5);
    const at = new DataView(r.buffer).getUint32(0) % file.length;
    if (done.has(at)) continue;
    done.add(at);
    file[at]! ^= r[4]! | 1;
  }
  writeFileSync(path, file);
}
