/**
 * RFC 9162 Merkle tree primitives shared by the verifier, the incremental frontier and the
 * proof builders: the two hash rules, the empty root, node ids, and integer helpers that are
 * exact for every tree size up to 2^53 - 1.
 *
 * Why the integer helpers: JS bit operators (`>>`, `&`, `^`) truncate their operands to 32 bits,
 * so `n & (n - 1)` or `n >> 1` silently give wrong answers once a log passes 2^31 leaves. Every
 * size and index here is a plain number (a safe integer), and every bit question goes through
 * the helpers below, which split a number into exact 32-bit halves or use exact division.
 */
import { SaylauError } from "../errors.ts";
import { HASH_LENGTH, sha256 } from "./hash.ts";

/**
 * A perfect subtree of the log: node (level, index) is the hash of the 2^level leaves
 * [index * 2^level, (index + 1) * 2^level). Level 0 nodes are the leaf hashes themselves.
 * These are the only nodes the ledger store persists: they never change once complete,
 * whereas the RFC tree's right-edge nodes change with every append.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export interface MerkleNode extends NodeId {
  readonly hash: Uint8Array;
}

/** Reads one persisted perfect-subtree hash; `undefined` when the store does not have it. */
export type NodeLookup = (level: number, index: number) => Uint8Array | undefined;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 || data). Also Saylau's transaction id. */
export function leafHash(data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + data.length);
  buf[0] = LEAF_PREFIX;
  buf.set(data, 1);
  return sha256(buf);
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = NODE_PREFIX;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return sha256(buf);
}

/** RFC 9162 §2.1.1: the root of the empty tree, SHA-256 of the empty string. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/**
 * The reference Merkle Tree Hash, MTH(D[n]) of RFC 9162 §2.1.1, written straight from the
 * definition (split at the largest power of two below n). O(n) hashes: for tests, for checking
 * the incremental code against, and for small trees. The ledger uses the frontier instead.
 */
export function rootOfLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  for (const h of leafHashes) assertHashLength(h, "leaf hash");
  if (leafHashes.length === 0) return EMPTY_ROOT;
  return mth(leafHashes, 0, leafHashes.length);
}

function mth(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 1) return leaves[lo]!;
  const k = largestPow2Below(n);
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

// ---------------------------------------------------------------------------------------------
// Exact integer helpers for 0 <= n <= 2^53 - 1.

const TWO_POW_32 = 2 ** 32;

/** A tree size or index: a non-negative safe integer. */
export function isValidSize(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

export function assertSize(n: unknown, what: string): asserts n is number {
  if (!isValidSize(n)) {
    throw new SaylauError(
      "merkle/bad_size",
      `${what} must be an integer in [0, 2^53 - 1], got ${String(n)}`,
      { [what]: n },
    );
  }
}

export function assertHashLength(h: Uint8Array, what: string): void {
  if (!(h instanceof Uint8Array) || h.length !== HASH_LENGTH) {
    throw new SaylauError(
      "merkle/bad_hash_length",
      `${what} must be ${HASH_LENGTH} bytes, got ${h instanceof Uint8Array ? h.length : typeof h}`,
    );
  }
}

/** Number of significant bits of n (0 for 0). `>>> 0` is an exact mod-2^32 for any integer. */
export function bitLength(n: number): number {
  const hi = Math.floor(n / TWO_POW_32);
  if (hi > 0) return 64 - Math.clz32(hi);
  return 32 - Math.clz32(n >>> 0);
}

/** Number of trailing zero bits of n > 0 (the level of the largest aligned block at n). */
export function trailingZeros(n: number): number {
  const lo = n >>> 0;
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  const hi = Math.floor(n / TWO_POW_32);
  return 32 + 31 - Math.clz32(hi & -hi);
}

/** Whether n > 0 is an exact power of two. */
export function isPow2(n: number): boolean {
  return n > 0 && 2 ** trailingZeros(n) === n;
}

/** The largest power of two strictly below n, for n >= 2: RFC 9162's split point k. */
export function largestPow2Below(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

/**
 * The perfect subtrees that make up the RFC 9162 subtree over leaves [start, start + n), largest
 * first: one per set bit of n. Correct whenever [start, start + n) is a node of some RFC tree
 * (every proof element and every root is), because such a start is a multiple of the largest
 * piece; a misaligned range is a bug in the caller, so it throws rather than return wrong ids.
 */
export function perfectPieces(start: number, n: number): NodeId[] {
  const out: NodeId[] = [];
  let pos = start;
  let rest = n;
  while (rest > 0) {
    const level = bitLength(rest) - 1;
    const width = 2 ** level;
    if (pos % width !== 0) {
      throw new SaylauError("merkle/internal", `range at ${start} of ${n} leaves is not aligned`);
    }
    out.push({ level, index: pos / width });
    pos += width;
    rest -= width;
  }
  return out;
}

/**
 * The hash of an RFC subtree from its perfect pieces (largest first): MTH splits at the
 * largest power of two, which is exactly the first piece, so the hash is the right fold.
 */
export function foldPieces(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}
