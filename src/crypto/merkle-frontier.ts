/**
 * The incremental log: a Frontier ("compact range" [0, size)) holds the hashes of the maximal
 * perfect subtrees covering the first `size` leaves, largest first, one per set bit of size.
 * That is all a writer needs to append and to know the current root: at most 53 hashes,
 * whatever the size. Appending reports every perfect node it completes, which is exactly what
 * the ledger store persists, so proofs for any past size can later be served from the store
 * (see merkle-proofs.ts) without rehashing leaves.
 */
import { SaylauError } from "../errors.ts";
import {
  assertHashLength,
  assertSize,
  foldPieces,
  type MerkleNode,
  type NodeId,
  nodeHash,
  perfectPieces,
  trailingZeros,
} from "./merkle-core.ts";

export interface Frontier {
  readonly size: number;
  /** Hashes of frontierNodeIds(size), in that order (largest subtree first). */
  readonly hashes: readonly Uint8Array[];
}

export const EMPTY_FRONTIER: Frontier = Object.freeze({ size: 0, hashes: Object.freeze([]) });

/** The (level, index) nodes whose hashes make the frontier of `size`, largest first. */
export function frontierNodeIds(size: number): NodeId[] {
  assertSize(size, "size");
  return perfectPieces(0, size);
}

/**
 * Rebuilds a frontier from persisted nodes: `hashes[i]` is the hash of frontierNodeIds(size)[i].
 * Checks only shape (count and length): the hashes come from the node's own store.
 */
export function frontierFromNodes(size: number, hashes: readonly Uint8Array[]): Frontier {
  const ids = frontierNodeIds(size);
  if (hashes.length !== ids.length) {
    throw new SaylauError(
      "merkle/bad_frontier",
      `a frontier of size ${size} has ${ids.length} nodes, got ${hashes.length}`,
      { size, expected: ids.length, got: hashes.length },
    );
  }
  for (const h of hashes) assertHashLength(h, "frontier node");
  return { size, hashes: [...hashes] };
}

/** The RFC 9162 root of the first `frontier.size` leaves (EMPTY_ROOT for size 0). */
export function frontierRoot(frontier: Frontier): Uint8Array {
  return foldPieces(frontier.hashes);
}

export interface AppendResult {
  readonly frontier: Frontier;
  /** Every perfect subtree completed by this append, leaves included, in completion order. */
  readonly newNodes: MerkleNode[];
}

/**
 * Appends leaf hashes and returns the new frontier (the input is not modified) with the nodes
 * the append completed. Cost: one copy of the old frontier (<= 53 entries) plus, per leaf, one
 * hash per node it completes; a batch of k leaves completes fewer than k + log2(size + k)
 * interior nodes, so the whole append is O(k + log n).
 */
export function appendLeaves(frontier: Frontier, leafHashes: readonly Uint8Array[]): AppendResult {
  assertSize(frontier.size, "size");
  // A hand-built frontier with the wrong number of hashes would silently give wrong roots.
  if (frontier.hashes.length !== perfectPieces(0, frontier.size).length) {
    throw new SaylauError("merkle/bad_frontier", "frontier hash count does not match its size");
  }
  const endSize = frontier.size + leafHashes.length;
  if (!Number.isSafeInteger(endSize)) {
    throw new SaylauError("merkle/bad_size", "the log cannot grow past 2^53 - 1 leaves", {
      size: frontier.size,
      appending: leafHashes.length,
    });
  }
  const stack = [...frontier.hashes];
  const newNodes: MerkleNode[] = [];
  let size = frontier.size;
  for (const leaf of leafHashes) {
    assertHashLength(leaf, "leaf hash");
    newNodes.push({ level: 0, index: size, hash: leaf });
    // Leaf `size` completes one node per trailing one bit of `size`, i.e. per trailing zero of
    // size + 1: the frontier's smallest subtrees, each merged with the growing right node.
    const next = size + 1;
    const merges = trailingZeros(next);
    let hash = leaf;
    for (let level = 1; level <= merges; level++) {
      // Cannot be undefined: the count check above keeps one stack entry per set bit of size.
      const left = stack.pop()!;
      hash = nodeHash(left, hash);
      newNodes.push({ level, index: next / 2 ** level - 1, hash });
    }
    stack.push(hash);
    size = next;
  }
  return { frontier: { size, hashes: stack }, newNodes };
}
