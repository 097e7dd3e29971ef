/**
 * The simulation's stand-in for a ledger block: a height, a proposer, a time, a batch of
 * transaction ids, and a flag a faulty proposer sets to make the block invalid. The engine
 * only ever sees its bytes and its hash.
 */
import { array, bool, decodeWith, encodeWith, struct, uint } from "../../src/codec/schema.ts";
import { taggedHash } from "../../src/crypto/hash.ts";

export interface SimBlock {
  readonly height: number;
  readonly proposer: number;
  /** Tells apart blocks of twins or an equivocating leader. */
  readonly nonce: number;
  /** Ms since the epoch, from the proposer's clock, as a ledger header's time. */
  readonly time: number;
  readonly txs: readonly number[];
  readonly invalid: boolean;
}

const SimBlockCodec = struct({
  height: uint(),
  proposer: uint(),
  nonce: uint(),
  time: uint(),
  txs: array(uint(), 64),
  invalid: bool,
});

export function encodeBlock(block: SimBlock): Uint8Array {
  return encodeWith(SimBlockCodec, { ...block, txs: [...block.txs] });
}

export function decodeBlock(payload: Uint8Array): SimBlock | null {
  try {
    return decodeWith(SimBlockCodec, payload);
  } catch {
    return null;
  }
}

export function blockHash(payload: Uint8Array): Uint8Array {
  return taggedHash("saylau/v1/sim-block", payload);
}

/** What the validator knows of time when it checks a block (as src/node/block-builder.ts). */
export interface TimeCheck {
  /** The parent block's time: a block's may not be lower (ledger/time_regressed). */
  readonly parentTime: number;
  /** The validator's clock and bound, for a fresh proposal; null: not checked. */
  readonly clock: { readonly now: number; readonly maxSkewMs: number } | null;
}

/**
 * The validity predicate: right height, not flagged, time not below the parent's and (if
 * asked) within the bound of the validator's clock, transactions known and new.
 */
export function isValidBlock(
  payload: Uint8Array,
  height: number,
  submitted: number,
  alreadyIncluded: ReadonlySet<number>,
  time: TimeCheck,
): boolean {
  const block = decodeBlock(payload);
  if (block === null || block.height !== height || block.invalid) return false;
  if (block.time < time.parentTime) return false;
  if (time.clock !== null && Math.abs(block.time - time.clock.now) > time.clock.maxSkewMs)
    return false;
  const seen = new Set<number>();
  for (const tx of block.txs) {
    if (tx < 1 || tx > submitted || alreadyIncluded.has(tx) || seen.has(tx)) return false;
    seen.add(tx);
  }
  return true;
}
