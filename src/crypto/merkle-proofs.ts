/**
 * Proof generation from persisted perfect-subtree nodes (RFC 9162 §2.1.3.1 PATH and §2.1.4.1
 * PROOF), split so the I/O stays with the caller:
 *   1. `...NodeIds(...)` says which (level, index) nodes a proof needs (O(log n) of them);
 *   2. the caller reads those from its store (one batch, any way it likes);
 *   3. `build...(..., lookup)` assembles the proof synchronously from what was read.
 *
 * Why it is O(log n): every proof element is the hash of an RFC subtree [a, b). A subtree off
 * the tree's right edge is perfect, so it is one stored node. Walking down from the root, the
 * only element that can touch the right edge is the first right sibling met (after that the
 * walk is inside a perfect subtree), and that one splits into one perfect node per set bit of
 * its width. So a proof needs at most ~2 * log2(n) node reads and hashes no leaves.
 */
import { SaylauError } from "../errors.ts";
import {
  assertHashLength,
  assertSize,
  EMPTY_ROOT,
  foldPieces,
  largestPow2Below,
  type NodeId,
  type NodeLookup,
  perfectPieces,
} from "./merkle-core.ts";

/** A leaf range [start, end) whose RFC subtree hash is one proof element. */
interface Range {
  readonly start: number;
  readonly end: number;
}

function checkInclusionArgs(leafIndex: number, treeSize: number): void {
  assertSize(leafIndex, "leafIndex");
  assertSize(treeSize, "treeSize");
  if (leafIndex >= treeSize) {
    throw new SaylauError("merkle/index_out_of_range", "leaf index is not below the tree size", {
      leafIndex,
      treeSize,
    });
  }
}

function checkConsistencyArgs(size1: number, size2: number): void {
  assertSize(size1, "size1");
  assertSize(size2, "size2");
  if (size1 > size2) {
    throw new SaylauError("merkle/sizes_out_of_order", "the first tree is larger than the second", {
      size1,
      size2,
    });
  }
  // Mirrors the verifier, which rejects every proof from the empty tree (see merkle-verify.ts).
  if (size1 === 0) {
    throw new SaylauError("merkle/empty_first_tree", "no consistency proof from the empty tree", {
      size1,
      size2,
    });
  }
}

/** RFC 9162 PATH(m, D[n]) as leaf ranges, in proof order (leaf's sibling first). */
function inclusionRanges(leafIndex: number, treeSize: number): Range[] {
  const topDown: Range[] = [];
  let lo = 0;
  let hi = treeSize;
  while (hi - lo > 1) {
    const k = largestPow2Below(hi - lo);
    if (leafIndex < lo + k) {
      topDown.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      topDown.push({ start: lo, end: lo + k });
      lo += k;
    }
  }
  return topDown.reverse();
}

/** RFC 9162 PROOF(m, D[n]) = SUBPROOF(m, D[n], true) as leaf ranges, in proof order. */
function consistencyRanges(size1: number, size2: number): Range[] {
  if (size1 === size2) return [];
  const topDown: Range[] = [];
  let lo = 0;
  let hi = size2;
  // `complete` is SUBPROOF's b: true while the subtree being walked is a prefix of the old tree
  // whose root the verifier already holds, so it need not be sent.
  let complete = true;
  for (;;) {
    if (size1 - lo === hi - lo) {
      if (!complete) topDown.push({ start: lo, end: hi });
      break;
    }
    const k = largestPow2Below(hi - lo);
    if (size1 - lo <= k) {
      topDown.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      topDown.push({ start: lo, end: lo + k });
      lo += k;
      complete = false;
    }
  }
  return topDown.reverse();
}

function nodeKey(level: number, index: number): string {
  return `${level}:${index}`;
}

function uniqueNodeIds(ranges: readonly Range[]): NodeId[] {
  const seen = new Set<string>();
  const out: NodeId[] = [];
  for (const r of ranges) {
    for (const id of perfectPieces(r.start, r.end - r.start)) {
      const key = nodeKey(id.level, id.index);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(id);
      }
    }
  }
  return out;
}

/**
 * Hashes each range from stored nodes. Reads every distinct node once (memoised), so the
 * lookups made are exactly the ids the matching `...NodeIds` function lists.
 */
function hashRanges(ranges: readonly Range[], lookup: NodeLookup): Uint8Array[] {
  const cache = new Map<string, Uint8Array>();
  const read = (id: NodeId): Uint8Array => {
    const key = nodeKey(id.level, id.index);
    let h = cache.get(key);
    if (h === undefined) {
      h = lookup(id.level, id.index);
      if (h === undefined) {
        throw new SaylauError(
          "merkle/missing_node",
          `Merkle node (level ${id.level}, index ${id.index}) is not in the store`,
          { level: id.level, index: id.index },
        );
      }
      assertHashLength(h, `Merkle node (level ${id.level}, index ${id.index})`);
      cache.set(key, h);
    }
    return h;
  };
  return ranges.map((r) => foldPieces(perfectPieces(r.start, r.end - r.start).map(read)));
}

/** The stored nodes an inclusion proof for leaf `leafIndex` in a tree of `treeSize` needs. */
export function inclusionProofNodeIds(leafIndex: number, treeSize: number): NodeId[] {
  checkInclusionArgs(leafIndex, treeSize);
  return uniqueNodeIds(inclusionRanges(leafIndex, treeSize));
}

/** RFC 9162 inclusion proof (audit path) for `leafIndex` in the tree of `treeSize` leaves. */
export function buildInclusionProof(
  leafIndex: number,
  treeSize: number,
  lookup: NodeLookup,
): Uint8Array[] {
  checkInclusionArgs(leafIndex, treeSize);
  return hashRanges(inclusionRanges(leafIndex, treeSize), lookup);
}

/** The stored nodes a consistency proof from `size1` to `size2` needs (none if equal). */
export function consistencyProofNodeIds(size1: number, size2: number): NodeId[] {
  checkConsistencyArgs(size1, size2);
  return uniqueNodeIds(consistencyRanges(size1, size2));
}

/** RFC 9162 consistency proof from the tree of `size1` leaves to that of `size2` leaves. */
export function buildConsistencyProof(
  size1: number,
  size2: number,
  lookup: NodeLookup,
): Uint8Array[] {
  checkConsistencyArgs(size1, size2);
  return hashRanges(consistencyRanges(size1, size2), lookup);
}

/** The stored nodes the root of the tree of `size` leaves is made of (its frontier). */
export function rootAtSizeNodeIds(size: number): NodeId[] {
  assertSize(size, "size");
  return perfectPieces(0, size);
}

/** The RFC 9162 root of the first `size` leaves, for any past size, from stored nodes. */
export function rootAtSize(size: number, lookup: NodeLookup): Uint8Array {
  assertSize(size, "size");
  if (size === 0) return EMPTY_ROOT;
  return hashRanges([{ start: 0, end: size }], lookup)[0]!;
}
