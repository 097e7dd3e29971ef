/**
 * `saylau node resync`: replaces a validator's damaged data directory by a new one that
 * holds only its signing fence, so that on its next start it fetches the whole chain from
 * the other validators (docs/NODE.md, "Recovering a damaged store").
 *
 * Nothing else of the old directory is kept: the chain and everything derived from it come
 * back from the peers with their certificates; pending transactions were forwarded to the
 * other validators when they were admitted; and the consensus WAL cannot be used after a
 * resync (see signing-fence.ts), so what it says is reduced to the fence. The validator's key,
 * manifest and configuration are separate files and are not touched. The old directory is
 * moved aside, not deleted, for whoever wants to look at the disk; deleting it is up to them.
 *
 * The new directory is built next to the old one and only then takes its place, so an
 * interruption leaves either the old directory, or both (the next resync, or start, says so).
 */
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { Level } from "level";
import { bytesEqual } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import { decodeBlock, headerHash } from "../ledger/block.ts";
import { keys } from "../ledger/store/keys.ts";
import { decodeHeadRecord } from "../ledger/store/ledger-store.ts";
import { levelCode } from "../ledger/store/level-errors.ts";
import { ConsensusWal } from "./consensus-wal.ts";
import { resyncStagingDir } from "./open-ledger.ts";
import { signingFenceRecord } from "./signing-fence.ts";

export interface ResyncOptions {
  readonly dataDir: string;
  /** Files that must survive: refused if any of them is inside dataDir. */
  readonly keep: readonly string[];
  /** A fence given by the operator (1 + the highest height any validator reports). */
  readonly fence?: number;
  /** Suffix of the name the damaged directory is moved to. */
  readonly stamp: string;
}

export interface ResyncResult {
  /** Where the old directory went (null: there was none). */
  readonly damagedDir: string | null;
  /** Heights up to this one are not signed after the resync (0: no fence needed). */
  readonly fence: number;
  /** How the fence was found. */
  readonly fenceFrom: string;
}

type LevelDb = Level<Uint8Array, Uint8Array>;

function open(dir: string, createIfMissing: boolean): LevelDb {
  return new Level<Uint8Array, Uint8Array>(dir, {
    keyEncoding: "view",
    valueEncoding: "view",
    createIfMissing,
  });
}

/**
 * The highest height the damaged store shows this validator may have signed at, and how
 * that was read; undefined when neither its head nor its WAL can be read.
 */
async function fenceFromStore(
  dataDir: string,
): Promise<{ fence: number; from: string } | { fence: undefined; why: string }> {
  const db = open(dataDir, false);
  try {
    await db.open();
  } catch (err) {
    if (levelCode(err) === "LEVEL_LOCKED") {
      throw new SaylauError(
        "store/in_use",
        `${dataDir} is in use by a running validator: stop it first`,
      );
    }
    const cause = (err as Error).cause as Error | undefined;
    return {
      fence: undefined,
      why: `LevelDB cannot open it: ${(cause ?? (err as Error)).message}`,
    };
  }
  try {
    let walTop: number | undefined;
    let head: number | null | undefined; // null: no chain was ever stored
    // A part that cannot be read stays undefined: the other part may still tell.
    try {
      walTop = await new ConsensusWal(db, false).highestHeight();
    } catch {
      walTop = undefined;
    }
    try {
      const bytes = await db.get(keys.head());
      if (bytes === undefined) head = null;
      else {
        // Trusted only if the block it names is stored and hashes to it: a damaged record
        // that still decodes could name a lower height, and so too low a fence.
        const record = decodeHeadRecord(bytes);
        const block = await db.get(keys.block(record.height));
        const named = block === undefined ? undefined : headerHash(decodeBlock(block).header);
        head = named !== undefined && bytesEqual(named, record.hash) ? record.height : undefined;
      }
    } catch {
      head = undefined;
    }
    // The engine signs only at head + 1, and WAL records of lower heights are pruned.
    if (head !== undefined) {
      const fence = Math.max(walTop ?? 0, head === null ? 0 : head + 1);
      return { fence, from: head === null ? "an empty store" : `its head, height ${head}` };
    }
    if (walTop !== undefined && walTop > 0) return { fence: walTop, from: "its consensus WAL" };
    return { fence: undefined, why: "neither its head record nor its consensus WAL can be read" };
  } finally {
    await db.close().catch(() => undefined);
  }
}

export async function resyncStore(options: ResyncOptions): Promise<ResyncResult> {
  const dataDir = resolve(options.dataDir);
  const staging = resyncStagingDir(dataDir);
  for (const file of options.keep) {
    const rel = relative(dataDir, resolve(file));
    if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
      throw new SaylauError(
        "store/unsafe_resync",
        `${file} is inside the data directory ${dataDir}; move it out before a resync`,
      );
    }
  }
  if (!existsSync(dataDir)) {
    if (existsSync(staging)) {
      // An earlier resync stopped between its two renames: finish it.
      await rename(staging, dataDir);
      return { damagedDir: null, fence: 0, fenceFrom: "the interrupted resync it completed" };
    }
    return { damagedDir: null, fence: 0, fenceFrom: "no data directory" };
  }
  const found = await fenceFromStore(dataDir);
  const given = options.fence ?? 0;
  if (found.fence === undefined && options.fence === undefined) {
    throw new SaylauError(
      "store/fence_unknown",
      `cannot tell from ${dataDir} which height this validator last worked on (${found.why}); give --fence H with H one more than the highest height any validator reports (saylau status), so that it signs nothing it may have signed before`,
    );
  }
  const fence = Math.max(found.fence ?? 0, given);
  const fenceFrom =
    found.fence === undefined || given > found.fence
      ? "--fence"
      : `the damaged store (${found.from})`;
  await rm(staging, { recursive: true, force: true });
  const db = open(staging, true);
  await db.open();
  if (fence > 0) {
    const { key, value } = signingFenceRecord(fence);
    await db.put(key, value, { sync: true } as never);
  }
  await db.close();
  const damagedDir = `${dataDir}.damaged-${options.stamp}`;
  await rename(dataDir, damagedDir);
  await rename(staging, dataDir);
  return { damagedDir, fence, fenceFrom };
}
