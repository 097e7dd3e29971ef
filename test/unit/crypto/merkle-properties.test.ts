/**
 * Properties of the Merkle log over random trees (sizes 1..300, random append batches), all
 * checked against the reference MTH (rootOfLeafHashes), which shares no code with the frontier
 * or the proof builders. Seeded, bounded runs: the same cases every time.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesEqual, toHex, utf8 } from "../../../src/crypto/bytes.ts";
import {
  appendLeaves,
  buildConsistencyProof,
  buildInclusionProof,
  consistencyProofNodeIds,
  EMPTY_FRONTIER,
  type Frontier,
  frontierRoot,
  inclusionProofNodeIds,
  leafHash,
  type MerkleNode,
  type NodeLookup,
  rootAtSize,
  rootOfLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "../../../src/crypto/merkle.ts";

const SEED = 0x5a71a0;
const MAX_SIZE = 300;

function leavesFor(salt: number, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => leafHash(utf8(`tree ${salt} leaf ${i}`)));
}

/** Appends `leaves` in batches of the given sizes (cycled), checking the root after each. */
function appendInBatches(
  leaves: readonly Uint8Array[],
  batchSizes: readonly number[],
  onBatch?: (frontier: Frontier) => void,
): MerkleNode[] {
  let frontier = EMPTY_FRONTIER;
  const nodes: MerkleNode[] = [];
  let b = 0;
  while (frontier.size < leaves.length) {
    const k = Math.min(batchSizes[b++ % batchSizes.length]!, leaves.length - frontier.size);
    const r = appendLeaves(frontier, leaves.slice(frontier.size, frontier.size + k));
    frontier = r.frontier;
    nodes.push(...r.newNodes);
    onBatch?.(frontier);
  }
  return nodes;
}

function countingStore(nodes: readonly MerkleNode[]): {
  lookup: NodeLookup;
  reads: string[];
} {
  const map = new Map<string, Uint8Array>();
  for (const n of nodes) map.set(`${n.level}:${n.index}`, n.hash);
  const reads: string[] = [];
  return {
    reads,
    lookup: (level, index) => {
      reads.push(`${level}:${index}`);
      return map.get(`${level}:${index}`);
    },
  };
}

// One shared 300-leaf log, appended in irregular batches, and the reference root of every
// prefix: the proofs below are built only from the nodes the appends emitted.
const LEAVES = leavesFor(7, MAX_SIZE);
const STORE = countingStore(appendInBatches(LEAVES, [1, 3, 17, 2, 64, 5, 1, 33]));
const ROOTS = Array.from({ length: MAX_SIZE + 1 }, (_, n) => rootOfLeafHashes(LEAVES.slice(0, n)));

describe("frontier appends", () => {
  it("match the reference root after every batch and emit each perfect node exactly once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_SIZE }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        (size, batches, salt) => {
          const leaves = leavesFor(salt, size);
          const nodes = appendInBatches(leaves, batches, (f) => {
            expect(toHex(frontierRoot(f))).toBe(toHex(rootOfLeafHashes(leaves.slice(0, f.size))));
          });
          // Exactly the perfect subtrees inside [0, size): floor(size / 2^level) per level.
          const ids = nodes.map((n) => `${n.level}:${n.index}`);
          expect(new Set(ids).size).toBe(ids.length);
          let expected = 0;
          for (let w = 1; w <= size; w *= 2) expected += Math.floor(size / w);
          expect(ids.length).toBe(expected);
          for (const n of nodes) {
            const w = 2 ** n.level;
            expect((n.index + 1) * w).toBeLessThanOrEqual(size);
            const want = rootOfLeafHashes(leaves.slice(n.index * w, (n.index + 1) * w));
            expect(toHex(n.hash)).toBe(toHex(want));
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe("proofs built from emitted nodes", () => {
  it("every inclusion proof for every (index, size <= 300) verifies, reading only its node ids", () => {
    for (let n = 1; n <= MAX_SIZE; n++) {
      for (let i = 0; i < n; i++) {
        // Plain comparisons in this 45k-case loop: expect() per case would triple the runtime.
        STORE.reads.length = 0;
        const proof = buildInclusionProof(i, n, STORE.lookup);
        const ids = inclusionProofNodeIds(i, n).map((id) => `${id.level}:${id.index}`);
        if (STORE.reads.join() !== ids.join()) expect.fail(`reads ${STORE.reads} != ids ${ids}`);
        if (ids.length > 2 * Math.ceil(Math.log2(n)))
          expect.fail(`(${i}, ${n}): ${ids.length} ids`);
        const r = verifyInclusion(LEAVES[i]!, i, n, proof, ROOTS[n]!);
        if (!r.ok) expect.fail(`inclusion (${i}, ${n}): ${r.reason}`);
      }
    }
  });

  it("every consistency proof for every 1 <= size1 <= size2 <= 300 verifies, and past roots match", () => {
    for (let n = 1; n <= MAX_SIZE; n++) {
      expect(toHex(rootAtSize(n, STORE.lookup))).toBe(toHex(ROOTS[n]!));
      for (let m = 1; m <= n; m++) {
        STORE.reads.length = 0;
        const proof = buildConsistencyProof(m, n, STORE.lookup);
        const ids = consistencyProofNodeIds(m, n).map((id) => `${id.level}:${id.index}`);
        if (STORE.reads.join() !== ids.join()) expect.fail(`reads ${STORE.reads} != ids ${ids}`);
        if (ids.length > 2 * Math.ceil(Math.log2(n)))
          expect.fail(`(${m}, ${n}): ${ids.length} ids`);
        const r = verifyConsistency(m, n, ROOTS[m]!, ROOTS[n]!, proof);
        if (!r.ok) expect.fail(`consistency (${m}, ${n}): ${r.reason}`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Tampering. Each mutation below must be rejected. The one subtle case is a changed size: an
// RFC 9162 proof does not encode the size, so the proof for (i, n) can be the very same bytes
// as the proof for (i, n') (e.g. leaf 0 of sizes 3 and 4). The sound statement, tested here, is
// that against the true root of the claimed size a proof is accepted iff it IS that size's proof.

function flipEachBit(proof: readonly Uint8Array[], check: (tampered: Uint8Array[]) => void): void {
  for (let e = 0; e < proof.length; e++) {
    for (let bit = 0; bit < 256; bit++) {
      const tampered = proof.map((p) => p.slice());
      tampered[e]![bit >> 3]! ^= 1 << (bit & 7);
      check(tampered);
    }
  }
}

const sameProof = (a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean =>
  a.length === b.length && a.every((x, i) => bytesEqual(x, b[i]!));

const extra = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("tampered inclusion proofs are rejected", () => {
  const indexAndSize = fc
    .integer({ min: 2, max: MAX_SIZE })
    .chain((n) => fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constant(n)));

  it("every single-bit flip, a wrong index, truncation and extension", () => {
    fc.assert(
      fc.property(indexAndSize, fc.nat(), extra, ([i, n], other, junk) => {
        const proof = buildInclusionProof(i, n, STORE.lookup);
        const leaf = LEAVES[i]!;
        const root = ROOTS[n]!;
        expect(verifyInclusion(leaf, i, n, proof, root).ok).toBe(true);
        flipEachBit(proof, (t) => expect(verifyInclusion(leaf, i, n, t, root).ok).toBe(false));
        const j = (i + 1 + (other % (n - 1))) % n; // any index but i
        expect(verifyInclusion(leaf, j, n, proof, root).ok).toBe(false);
        expect(verifyInclusion(leaf, n, n, proof, root).ok).toBe(false);
        expect(verifyInclusion(LEAVES[j]!, i, n, proof, root).ok).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(leaf, i, n, proof.slice(0, -1), root).ok).toBe(false);
          expect(verifyInclusion(leaf, i, n, proof.slice(1), root).ok).toBe(false);
        }
        expect(verifyInclusion(leaf, i, n, [...proof, junk], root).ok).toBe(false);
        expect(verifyInclusion(leaf, i, n, [junk, ...proof], root).ok).toBe(false);
        expect(verifyInclusion(leaf, i, n, proof, ROOTS[n - 1]!).ok).toBe(false);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("a proof for one size verifies against another size's root only if it is that proof", () => {
    fc.assert(
      fc.property(indexAndSize, fc.integer({ min: 1, max: MAX_SIZE }), ([i, n], n2) => {
        fc.pre(n2 !== n && n2 > i);
        const proof = buildInclusionProof(i, n, STORE.lookup);
        const proof2 = buildInclusionProof(i, n2, STORE.lookup);
        const accepted = verifyInclusion(LEAVES[i]!, i, n2, proof, ROOTS[n2]!).ok;
        expect(accepted).toBe(sameProof(proof, proof2));
        // The valid proof for n2 leads to the root of n2, never to the root of n.
        expect(verifyInclusion(LEAVES[i]!, i, n2, proof2, ROOTS[n]!).ok).toBe(false);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("what a proof does not bind", () => {
  it("an inclusion proof does not encode the tree size: the signed header must bind it", () => {
    // Leaf 0 of sizes 3 and 4 has the same path shape (two right siblings), so the size-4 proof
    // checks out under a claimed size of 3 against the size-4 root. RFC 9162 behaves this way;
    // Saylau's receipts are sound because logSize and logRoot come together from the header.
    const proof4 = buildInclusionProof(0, 4, STORE.lookup);
    expect(verifyInclusion(LEAVES[0]!, 0, 3, proof4, ROOTS[4]!).ok).toBe(true);
    expect(verifyInclusion(LEAVES[0]!, 0, 3, proof4, ROOTS[3]!).ok).toBe(false);
  });
});

describe("tampered consistency proofs are rejected", () => {
  const sizes = fc
    .integer({ min: 2, max: MAX_SIZE })
    .chain((n) => fc.tuple(fc.integer({ min: 1, max: n - 1 }), fc.constant(n)));

  it("every single-bit flip, swapped roots, truncation and extension", () => {
    fc.assert(
      fc.property(sizes, extra, ([m, n], junk) => {
        const proof = buildConsistencyProof(m, n, STORE.lookup);
        const r1 = ROOTS[m]!;
        const r2 = ROOTS[n]!;
        expect(verifyConsistency(m, n, r1, r2, proof).ok).toBe(true);
        flipEachBit(proof, (t) => expect(verifyConsistency(m, n, r1, r2, t).ok).toBe(false));
        expect(verifyConsistency(m, n, r2, r1, proof).ok).toBe(false);
        expect(verifyConsistency(n, m, r2, r1, proof).ok).toBe(false);
        expect(verifyConsistency(m, n, r1, r2, proof.slice(0, -1)).ok).toBe(false);
        expect(verifyConsistency(m, n, r1, r2, proof.slice(1)).ok).toBe(false);
        expect(verifyConsistency(m, n, r1, r2, [...proof, junk]).ok).toBe(false);
        expect(verifyConsistency(m, n, r1, r2, [junk, ...proof]).ok).toBe(false);
        // Wrong roots (a neighbouring size's) under the right sizes.
        expect(verifyConsistency(m, n, ROOTS[m - 1]!, r2, proof).ok).toBe(false);
        expect(verifyConsistency(m, n, r1, ROOTS[n - 1]!, proof).ok).toBe(false);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("a proof for (m, n) verifies for other sizes (m', n') only if it is their proof", () => {
    fc.assert(
      fc.property(sizes, sizes, ([m, n], [m2, n2]) => {
        fc.pre(m !== m2 || n !== n2);
        const proof = buildConsistencyProof(m, n, STORE.lookup);
        const proof2 = buildConsistencyProof(m2, n2, STORE.lookup);
        const accepted = verifyConsistency(m2, n2, ROOTS[m2]!, ROOTS[n2]!, proof).ok;
        expect(accepted).toBe(sameProof(proof, proof2));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
