/**
 * RFC 9162 proof verification (§2.1.3.2 inclusion, §2.1.4.2 consistency). This is what a voter's
 * receipt check and an auditor run, in Node or a browser, so it is self-contained: no store, no
 * frontier, only the hash rules. The algorithms are transcribed from the RFC, with right shifts
 * done by exact division so sizes up to 2^53 - 1 work.
 *
 * Before hashing anything, each verifier computes the one proof length the (index, size) or
 * (size1, size2) pair admits and rejects any other length: that gives a precise reason code,
 * and bounds the work a hostile proof can cause to ~2 * 53 hashes.
 */
import { SaylauError } from "../errors.ts";
import { bytesEqual } from "./bytes.ts";
import { HASH_LENGTH } from "./hash.ts";
import { isPow2, isValidSize, nodeHash } from "./merkle-core.ts";

/** Stable reason codes; also the `code` of the SaylauError the assert variants throw. */
export type MerkleFailure =
  | "merkle/bad_size"
  | "merkle/index_out_of_range"
  | "merkle/sizes_out_of_order"
  | "merkle/empty_first_tree"
  | "merkle/wrong_proof_length"
  | "merkle/bad_hash_length"
  | "merkle/root_mismatch";

export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: MerkleFailure };

const OK: VerifyResult = { ok: true };
function fail(reason: MerkleFailure): VerifyResult {
  return { ok: false, reason };
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * The only inclusion-proof length that RFC 9162 §2.1.3.2 accepts for (leafIndex, treeSize),
 * found by running the verifier's index walk without hashes. Requires leafIndex < treeSize.
 */
export function inclusionProofLength(leafIndex: number, treeSize: number): number {
  let fn = leafIndex;
  let sn = treeSize - 1;
  let steps = 0;
  while (sn !== 0) {
    if (isOdd(fn) || fn === sn) {
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    }
    fn = half(fn);
    sn = half(sn);
    steps++;
  }
  return steps;
}

/**
 * The only consistency-proof length RFC 9162 §2.1.4.2 accepts for 0 < size1 < size2, found by
 * running the verifier's walk without hashes (the first element seeds fr/sr; when size1 is a
 * power of two that seed is root1 itself and is not sent).
 */
export function consistencyProofLength(size1: number, size2: number): number {
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let steps = 0;
  while (sn !== 0) {
    if (isOdd(fn) || fn === sn) {
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    }
    fn = half(fn);
    sn = half(sn);
    steps++;
  }
  return steps + (isPow2(size1) ? 0 : 1);
}

function proofElementsWellFormed(proof: readonly Uint8Array[]): boolean {
  for (const p of proof) {
    if (!(p instanceof Uint8Array) || p.length !== HASH_LENGTH) return false;
  }
  return true;
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show that `leafHash` is leaf `leafIndex` of the tree of
 * `treeSize` leaves whose root is `root`? `root` is compared bytewise (a root of the wrong
 * length simply never matches); the leaf hash and proof elements must be 32 bytes.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): VerifyResult {
  if (!isValidSize(leafIndex) || !isValidSize(treeSize)) return fail("merkle/bad_size");
  if (leafIndex >= treeSize) return fail("merkle/index_out_of_range");
  if (proof.length !== inclusionProofLength(leafIndex, treeSize)) {
    return fail("merkle/wrong_proof_length");
  }
  if (leafHash.length !== HASH_LENGTH || !proofElementsWellFormed(proof)) {
    return fail("merkle/bad_hash_length");
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    // The length check above guarantees sn > 0 here (step 4a of the RFC cannot fire).
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root) ? OK : fail("merkle/root_mismatch");
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `size2` leaves with root `root2` extends
 * the tree of `size1` leaves with root `root1`?
 *
 * Edge cases, pinned by the transparency-dev vectors:
 * - size1 > size2 is rejected (a log never shrinks);
 * - size1 = 0 is rejected, even with the empty root: every tree extends the empty one, so such
 *   a "proof" carries no evidence, and a caller that holds no earlier head needs none; failing
 *   keeps a vacuous check from passing as a real one;
 * - size1 = size2 > 0 needs an empty proof and root1 = root2 (compared bytewise).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): VerifyResult {
  if (!isValidSize(size1) || !isValidSize(size2)) return fail("merkle/bad_size");
  if (size1 > size2) return fail("merkle/sizes_out_of_order");
  if (size1 === 0) return fail("merkle/empty_first_tree");
  if (size1 === size2) {
    if (proof.length !== 0) return fail("merkle/wrong_proof_length");
    return bytesEqual(root1, root2) ? OK : fail("merkle/root_mismatch");
  }
  if (proof.length !== consistencyProofLength(size1, size2)) {
    return fail("merkle/wrong_proof_length");
  }
  if (!proofElementsWellFormed(proof)) return fail("merkle/bad_hash_length");

  // Step 2: when size1 is a power of two, the old root is itself a node of the new tree and
  // the proof omits it; the walk starts from root1.
  const path = isPow2(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2)
    ? OK
    : fail("merkle/root_mismatch");
}

const MESSAGES: Record<MerkleFailure, string> = {
  "merkle/bad_size": "tree sizes and indices must be integers in [0, 2^53 - 1]",
  "merkle/index_out_of_range": "leaf index is not below the tree size",
  "merkle/sizes_out_of_order": "the first tree is larger than the second",
  "merkle/empty_first_tree": "a consistency proof from the empty tree proves nothing",
  "merkle/wrong_proof_length": "the proof has the wrong number of elements for these sizes",
  "merkle/bad_hash_length": `leaf hash and proof elements must be ${HASH_LENGTH} bytes`,
  "merkle/root_mismatch": "the proof does not lead to the given root",
};

function throwIfFailed(result: VerifyResult, details: Record<string, unknown>): void {
  if (!result.ok) throw new SaylauError(result.reason, MESSAGES[result.reason], details);
}

/** verifyInclusion that throws SaylauError(reason) instead of returning a failure. */
export function assertInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  throwIfFailed(verifyInclusion(leafHash, leafIndex, treeSize, proof, root), {
    leafIndex,
    treeSize,
    proofLength: proof.length,
  });
}

/** verifyConsistency that throws SaylauError(reason) instead of returning a failure. */
export function assertConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  throwIfFailed(verifyConsistency(size1, size2, root1, root2, proof), {
    size1,
    size2,
    proofLength: proof.length,
  });
}
