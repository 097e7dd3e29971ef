/**
 * Checks a LevelDB directory's files before LevelDB opens it: the descriptor (CURRENT and
 * the MANIFEST it names), every live table file (each block's CRC-32C, see leveldb-table.ts),
 * and the write-ahead logs LevelDB would replay (each record's CRC-32C, see leveldb-log.ts).
 *
 * Before the open, because the open itself may start a compaction, and a compaction that
 * reads a damaged block without checksums can stop the process on an assertion instead of
 * reporting an error. A directory that fails here is never opened, so never compacted.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SaylauError } from "../errors.ts";
import { applyVersionEdits, readLogRecords } from "../ledger/store/leveldb-log.ts";
import { checkTable, TableDamage } from "../ledger/store/leveldb-table.ts";

export interface StoreFilesReport {
  readonly tables: number;
  readonly logs: number;
  readonly bytes: number;
}

function corrupt(dir: string, file: string, reason: string, offset?: number): SaylauError {
  const where = offset === undefined ? file : `${file} at byte ${offset}`;
  return new SaylauError("store/corrupt", `LevelDB file ${where} is damaged: ${reason}`, {
    dataDir: dir,
    file,
    ...(offset === undefined ? {} : { offset }),
    reason,
  });
}

const LEVELDB_FILE = /^(?:\d+\.(?:ldb|sst|log)|MANIFEST-\d+)$/;

/** Throws store/corrupt naming the file, offset and problem; a missing or empty dir passes. */
export async function checkStoreFiles(dir: string): Promise<StoreFilesReport> {
  if (!existsSync(dir)) return { tables: 0, logs: 0, bytes: 0 };
  const names = await readdir(dir);
  if (!names.includes("CURRENT")) {
    const stray = names.find((n) => LEVELDB_FILE.test(n));
    // LevelDB would start an empty database here and delete the old files as obsolete.
    if (stray !== undefined) throw corrupt(dir, "CURRENT", `missing, but ${stray} is there`);
    return { tables: 0, logs: 0, bytes: 0 };
  }
  const current = await readFile(join(dir, "CURRENT"), "utf8");
  const manifestName = current.endsWith("\n") ? current.slice(0, -1) : "";
  if (!/^MANIFEST-\d+$/.test(manifestName)) {
    throw corrupt(dir, "CURRENT", "does not name a descriptor file");
  }
  if (!names.includes(manifestName)) throw corrupt(dir, manifestName, "missing");
  const manifestBytes = await readFile(join(dir, manifestName));
  let bytes = manifestBytes.length;
  const descriptor = readLogRecords(manifestBytes);
  const first = descriptor.problems[0];
  if (first !== undefined) throw corrupt(dir, manifestName, first.reason, first.offset);
  let live: ReturnType<typeof applyVersionEdits>;
  try {
    live = applyVersionEdits(descriptor.records);
  } catch (err) {
    throw corrupt(dir, manifestName, (err as Error).message);
  }
  for (const [number, table] of live.tables) {
    const stem = String(number).padStart(6, "0");
    const name = names.includes(`${stem}.ldb`) ? `${stem}.ldb` : `${stem}.sst`;
    if (!names.includes(name)) throw corrupt(dir, `${stem}.ldb`, "a live table file is missing");
    const file = await readFile(join(dir, name));
    bytes += file.length;
    if (file.length !== table.size) {
      throw corrupt(dir, name, `${file.length} bytes, the descriptor says ${table.size}`);
    }
    try {
      checkTable(file);
    } catch (err) {
      if (err instanceof TableDamage) throw corrupt(dir, name, err.message, err.offset);
      throw err;
    }
  }
  let logs = 0;
  for (const name of names) {
    const m = /^(\d+)\.log$/.exec(name);
    if (m === null) continue;
    const number = Number(m[1]);
    // Older logs are already in tables; LevelDB deletes them at open without reading them.
    if (number < live.logNumber && number !== live.prevLogNumber) continue;
    const file = await readFile(join(dir, name));
    bytes += file.length;
    logs++;
    const problem = readLogRecords(file).problems[0];
    if (problem !== undefined) throw corrupt(dir, name, problem.reason, problem.offset);
  }
  return { tables: live.tables.size, logs, bytes };
}
