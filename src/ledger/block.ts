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

/** Bytes of a CBOR head for a length (or count) n: RFC 8949 §3, shortest form. */
function headLength(n: number): number {
  if (n < 24) return 1;
  if (n < 0x100) return 2;
  if (n < 0x10000) return 3;
  if (n < 0x100000000) return 5;
  return 9;
}

/**
 * The length of encodeBlock(block), computed without encoding it: a validator checks every
 * proposal against the size limit, and re-encoding a block of thousands of transactions
 * just to measure it is wasted work. The block is a map of two entries, "header" (the
 * encoded header) and "txs" (an array of byte strings); the tests hold this to encodeBlock.
 */
export function encodedBlockSize(block: Block): number {
  let size = 1 + (1 + 6) + encodeHeader(block.header).length + (1 + 3);
  size += headLength(block.txs.length);
  for (const tx of block.txs) size += headLength(tx.length) + tx.length;
  return size;
}

export function decodeBlock(encoded: Uint8Array): Block {
  return decodeWith(blockCodec, encoded, MAX_BLOCK_BYTES);
}
