/**
 * Block header and block: canonical encodings, hashes and the genesis header.
 *
 * A block carries its transactions as their canonical byte strings, so a transaction id is
 * the RFC 9162 leaf hash of exactly the bytes in the block, with no re-encoding step between
 * the block and the Merkle log. The header commits to the transactions through the log:
 * `logRoot` is the root of the whole transaction log after this block.
 */
import {
  array,
  bytes,
  bytesUpTo,
  decodeWith,
  encodeWith,
  type Infer,
  struct,
  uint,
} from "../codec/schema.ts";
import { HASH_LENGTH, TAG, taggedHash } from "../crypto/hash.ts";
import { MAX_BLOCK_BYTES, MAX_BLOCK_TXS, MAX_TX_BYTES, MAX_VALIDATORS } from "./limits.ts";

export const ZERO_HASH = new Uint8Array(HASH_LENGTH);

export const headerCodec = struct({
  electionId: bytes(HASH_LENGTH),
  height: uint(),
  prevHash: bytes(HASH_LENGTH),
  time: uint(),
  proposer: uint(MAX_VALIDATORS - 1),
  txCount: uint(MAX_BLOCK_TXS),
  logSize: uint(),
  logRoot: bytes(HASH_LENGTH),
  stateHash: bytes(HASH_LENGTH),
});
export type BlockHeader = Infer<typeof headerCodec>;

export const blockCodec = struct({
  header: headerCodec,
  txs: array(bytesUpTo(MAX_TX_BYTES), MAX_BLOCK_TXS),
});
export type Block = Infer<typeof blockCodec>;

export function encodeHeader(header: BlockHeader): Uint8Array {
  return encodeWith(headerCodec, header);
}

export function decodeHeader(encoded: Uint8Array): BlockHeader {
  return decodeWith(headerCodec, encoded, 1024);
}

export function headerHash(header: BlockHeader): Uint8Array {
  return taggedHash(TAG.header, encodeHeader(header));
}

export function encodeBlock(block: Block): Uint8Array {
  return encodeWith(blockCodec, block);
}

export function decodeBlock(encoded: Uint8Array): Block {
  return decodeWith(blockCodec, encoded, MAX_BLOCK_BYTES);
}
