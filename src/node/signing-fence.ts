/**
 * The signing fence of a resynced validator.
 *
 * `saylau node resync` wipes a validator's chain so that it fetches it again from its peers.
 * Its consensus WAL (what it signed at the height it was working on) lives in the same
 * LevelDB and cannot be kept usefully: the engine replays a WAL only for the height it starts
 * at, and after a resync it starts at height 1. Without it, the validator could sign, at the
 * height it was working on when it stopped, a different block or view than it signed then:
 * equivocation. So resync records the highest height the old store shows it may have signed
 * at (the WAL's highest height, or the head + 1: the engine only ever signs at head + 1), and
 * until its ledger has passed that height the consensus driver neither sends nor records
 * anything the engine signs at heights up to it. The validator still follows: it commits the
 * blocks the others decide, from their certificates, and signs again from the next height on.
 */
import { SaylauError } from "../errors.ts";
import { keys, readU64, u64 } from "../ledger/store/keys.ts";
import type { LedgerStore } from "../ledger/store/ledger-store.ts";

/** Heights at or below the fence are not signed (0: no fence). */
export async function readSigningFence(store: LedgerStore): Promise<number> {
  let value: Uint8Array | undefined;
  try {
    value = await store.db.get(keys.signingFence());
  } catch (err) {
    throw store.readFailure("the signing fence", err);
  }
  if (value === undefined) return 0;
  if (value.length !== 8) throw store.corrupt("the signing fence record is not 8 bytes");
  return readU64(value);
}

export function signingFenceRecord(height: number): { key: Uint8Array; value: Uint8Array } {
  if (!Number.isSafeInteger(height) || height < 1) {
    throw new SaylauError(
      "store/bad_fence",
      `a signing fence must be a height >= 1, not ${height}`,
    );
  }
  return { key: keys.signingFence(), value: u64(height) };
}
