/**
 * Opens a validator's ledger only after checking it: the LevelDB files first (before LevelDB
 * itself opens them, see store-files-check.ts), then the stored chain (store-check.ts). A
 * validator whose store fails either refuses to start with `store/corrupt` and one error log
 * line with the details; `saylau node resync` is the way back (docs/NODE.md).
 */
import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { isSaylauError, SaylauError } from "../errors.ts";
import { LedgerReplica } from "./ledger-replica.ts";
import { readSigningFence } from "./signing-fence.ts";
import { stateSyncStagingDir } from "./state-sync.ts";
import { checkStoredChain } from "./store-check.ts";
import { checkStoreFiles } from "./store-files-check.ts";

/** Where `saylau node resync` builds the new store before it takes the old one's place. */
export function resyncStagingDir(dataDir: string): string {
  return `${dataDir}.resync-new`;
}

const RESYNC_HINT =
  "the validator's stored chain is damaged; stop it, run `saylau node resync` with its configuration, and start it again: it fetches the chain from the other validators";

export interface OpenedLedger {
  readonly replica: LedgerReplica;
  /** The signing fence a resync left (0: none); see signing-fence.ts. */
  readonly silentThrough: number;
}

export async function openLedger(
  dataDir: string,
  manifestBytes: Uint8Array,
  log: Logger,
): Promise<OpenedLedger> {
  const t0 = performance.now();
  try {
    if (existsSync(resyncStagingDir(dataDir))) {
      throw new SaylauError(
        "store/resync_incomplete",
        `${resyncStagingDir(dataDir)} exists: a resync was interrupted; run \`saylau node resync\` again`,
      );
    }
    if (existsSync(stateSyncStagingDir(dataDir))) {
      throw new SaylauError(
        "store/state_sync_incomplete",
        `${stateSyncStagingDir(dataDir)} exists: a state sync was interrupted; run \`saylau node state-sync\` again`,
      );
    }
    const files = await checkStoreFiles(dataDir);
    const t1 = performance.now();
    const replica = await LedgerReplica.open(dataDir, manifestBytes);
    const opened = performance.now();
    try {
      const chain = await checkStoredChain(replica.store, replica.ctx);
      const silentThrough = await readSigningFence(replica.store);
      const t2 = performance.now();
      replica.store.onCorrupt = (err) =>
        log.error({ code: err.code, dataDir, ...err.details }, `store corrupt: ${err.message}`);
      log.info(
        {
          height: chain.height,
          txs: chain.txs,
          tables: files.tables,
          logs: files.logs,
          fileBytes: files.bytes,
          chainBytes: chain.bytes,
          filesMs: Math.round(t1 - t0),
          openMs: Math.round(opened - t1),
          chainMs: Math.round(t2 - opened),
        },
        "stored chain checked",
      );
      if (silentThrough > replica.height) {
        log.warn(
          { silentThrough, height: replica.height },
          `resynced: this validator signs nothing at heights up to ${silentThrough} (it may have signed there before the resync); it follows the others until they have decided ${silentThrough}`,
        );
      }
      return { replica, silentThrough };
    } catch (err) {
      await replica.close().catch(() => undefined);
      throw err;
    }
  } catch (err) {
    if (!isSaylauError(err, "store/corrupt")) throw err;
    const refused = new SaylauError("store/corrupt", `${err.message}; ${RESYNC_HINT}`, {
      ...err.details,
      dataDir,
    });
    log.error({ code: refused.code, ...refused.details }, `refusing to start: ${refused.message}`);
    throw refused;
  }
}
