/**
 * What validators say to each other, one canonical envelope per network frame: consensus
 * messages (opaque to this layer), forwarded transactions, block sync requests and
 * responses for catch-up, and equivocation evidence (docs/PROTOCOL.md §14).
 */
import {
  array,
  bytesUpTo,
  decodeWith,
  encodeWith,
  type Infer,
  oneOf,
  struct,
  tagged,
  uint,
} from "../codec/schema.ts";
import { MAX_EVIDENCE_BYTES } from "../consensus/evidence.ts";
import { MAX_BLOCK_BYTES, MAX_TX_BYTES } from "../ledger/limits.ts";

/** Blocks per sync response: bounded so one response stays well under the frame limit. */
export const MAX_SYNC_BLOCKS = 16;
export const MAX_FRAME_BYTES = 16 * 1024 * 1024 + MAX_SYNC_BLOCKS * 64 * 1024;

export const wireCodec = tagged("kind", {
  consensus: struct({
    kind: oneOf(["consensus"]),
    message: bytesUpTo(MAX_BLOCK_BYTES + 64 * 1024),
  }),
  txs: struct({ kind: oneOf(["txs"]), txs: array(bytesUpTo(MAX_TX_BYTES), 1024, 1) }),
  fetch: struct({ kind: oneOf(["fetch"]), fromHeight: uint(), max: uint(MAX_SYNC_BLOCKS) }),
  blocks: struct({
    kind: oneOf(["blocks"]),
    blocks: array(
      struct({ block: bytesUpTo(MAX_BLOCK_BYTES), certificate: bytesUpTo(128 * 1024) }),
      MAX_SYNC_BLOCKS,
    ),
    /** The sender's head height, so a lagging node knows how far it has to go. */
    head: uint(),
  }),
  /** One canonical evidence (src/consensus/evidence.ts), as its bytes: its id is their hash. */
  evidence: struct({ kind: oneOf(["evidence"]), evidence: bytesUpTo(MAX_EVIDENCE_BYTES) }),
});
export type WireMessage = Infer<typeof wireCodec>;

export function encodeWire(message: WireMessage): Uint8Array {
  return encodeWith(wireCodec, message);
}

export function decodeWire(bytes: Uint8Array): WireMessage {
  return decodeWith(wireCodec, bytes, MAX_FRAME_BYTES) as WireMessage;
}
