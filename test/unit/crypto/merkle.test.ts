/**
 * RFC 9162 Merkle log against the transparency-dev/merkle vectors and the 8-leaf reference
 * tree, plus the edge cases those do not reach: reason codes, throwing variants, typed errors
 * from the builders, and exact arithmetic at sizes up to 2^53 - 1.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import {
  appendLeaves,
  assertConsistency,
  assertInclusion,
  buildConsistencyProof,
  buildInclusionProof,
  consistencyProofNodeIds,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  frontierFromNodes,
  frontierNodeIds,
  frontierRoot,
  inclusionProofNodeIds,
  leafHash,
  type MerkleNode,
  type NodeLookup,
  nodeHash,
  rootAtSize,
  rootAtSizeNodeIds,
  rootOfLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "../../../src/crypto/merkle.ts";
import { isSaylauError } from "../../../src/errors.ts";

// ---------------------------------------------------------------------------------------------
// The vectors are vendored in test/vectors/merkle (Apache-2.0, see the LICENSE there), so a clone
// with nothing beside it runs them.
const VECTORS = resolve(import.meta.dirname, "../../vectors/merkle");
if (!existsSync(join(VECTORS, "inclusion")) || !existsSync(join(VECTORS, "consistency"))) {
  // Thrown at load time so the suite fails outright instead of passing with zero vectors.
  throw new Error(
    `Merkle test vectors not found at ${VECTORS} (expected inclusion/, consistency/)`,
  );
}

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (name.endsWith(".json")) out.push(p);
  }
  return out;
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function load<T>(sub: string): [string, T][] {
  return jsonFiles(join(VECTORS, sub)).map((p) => [
    relative(VECTORS, p),
    JSON.parse(readFileSync(p, "utf8")) as T,
  ]);
}

const inclusionVectors = load<InclusionVector>("inclusion");
const consistencyVectors = load<ConsistencyVector>("consistency");

describe("transparency-dev/merkle vectors", () => {
  it("are all present (a partial copy would weaken every test below)", () => {
    // Counts of the vendored copy; more is fine, fewer is not.
    expect(inclusionVectors.length).toBeGreaterThanOrEqual(91);
    expect(consistencyVectors.length).toBeGreaterThanOrEqual(98);
    for (const vs of [inclusionVectors, consistencyVectors]) {
      expect(vs.some(([, v]) => v.wantErr)).toBe(true);
      expect(vs.some(([, v]) => !v.wantErr)).toBe(true);
    }
  });

  it.each(inclusionVectors)("inclusion %s", (_name, v) => {
    const proof = (v.proof ?? []).map(b64);
    const result = verifyInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, proof, b64(v.root));
    expect(result.ok).toBe(!v.wantErr);
    const thrown = () =>
      assertInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, proof, b64(v.root));
    if (v.wantErr) expect(thrown).toThrow();
    else expect(thrown).not.toThrow();
  });

  it.each(consistencyVectors)("consistency %s", (_name, v) => {
    const proof = (v.proof ?? []).map(b64);
    const result = verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), proof);
    expect(result.ok).toBe(!v.wantErr);
    const thrown = () => assertConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), proof);
    if (v.wantErr) expect(thrown).toThrow();
    else expect(thrown).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------

const tree8 = JSON.parse(readFileSync(join(VECTORS, "tree-8.json"), "utf8")) as {
  leafInputs: string[];
  leafHashes: string[];
  rootHashes: string[];
};
const inputs8 = tree8.leafInputs.map((h) => fromHex(h));
const leaves8 = inputs8.map(leafHash);

function storeOf(nodes: readonly MerkleNode[]): {
  lookup: NodeLookup;
  reads: string[];
  map: Map<string, Uint8Array>;
} {
  const map = new Map<string, Uint8Array>();
  for (const n of nodes) map.set(`${n.level}:${n.index}`, n.hash);
  const reads: string[] = [];
  return {
    map,
    reads,
    lookup: (level, index) => {
      reads.push(`${level}:${index}`);
      return map.get(`${level}:${index}`);
    },
  };
}

describe("8-leaf reference tree", () => {
  it("leafHash is SHA-256(0x00 || data) and EMPTY_ROOT is SHA-256('')", () => {
    expect(leaves8.map(toHex)).toEqual(tree8.leafHashes);
    expect(toHex(EMPTY_ROOT)).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    const a = leaves8[0]!;
    const b = leaves8[1]!;
    expect(toHex(nodeHash(a, b))).toBe(toHex(sha256(new Uint8Array([1, ...a, ...b]))));
  });

  it("rootOfLeafHashes, the frontier and rootAtSize give every root for sizes 0..8", () => {
    let frontier = EMPTY_FRONTIER;
    const nodes: MerkleNode[] = [];
    expect(toHex(frontierRoot(frontier))).toBe(tree8.rootHashes[0]);
    for (let n = 0; n <= 8; n++) {
      expect(toHex(rootOfLeafHashes(leaves8.slice(0, n)))).toBe(tree8.rootHashes[n]);
      if (n > 0) {
        const r = appendLeaves(frontier, [leaves8[n - 1]!]);
        frontier = r.frontier;
        nodes.push(...r.newNodes);
        expect(toHex(frontierRoot(frontier))).toBe(tree8.rootHashes[n]);
      }
    }
    const { lookup } = storeOf(nodes);
    for (let n = 0; n <= 8; n++) expect(toHex(rootAtSize(n, lookup))).toBe(tree8.rootHashes[n]);
  });

  it("emits exactly the 15 perfect nodes of 8 leaves, with the RFC hashes", () => {
    const { newNodes } = appendLeaves(EMPTY_FRONTIER, leaves8);
    const ids = newNodes.map((n) => `${n.level}:${n.index}`).sort();
    expect(ids).toEqual(
      [
        ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `0:${i}`),
        ...[0, 1, 2, 3].map((i) => `1:${i}`),
        "2:0",
        "2:1",
        "3:0",
      ].sort(),
    );
    for (const n of newNodes) {
      const w = 2 ** n.level;
      expect(toHex(n.hash)).toBe(
        toHex(rootOfLeafHashes(leaves8.slice(n.index * w, (n.index + 1) * w))),
      );
    }
  });

  it("builds the published audit paths (transparency-dev inclusion/1 and /2 happy paths)", () => {
    const { lookup } = storeOf(appendLeaves(EMPTY_FRONTIER, leaves8).newNodes);
    const want1 = inclusionVectors.find(([name]) => name === "inclusion/1/happy-path.json")![1];
    const want2 = inclusionVectors.find(([name]) => name === "inclusion/2/happy-path.json")![1];
    for (const w of [want1, want2]) {
      const proof = buildInclusionProof(w.leafIdx, w.treeSize, lookup);
      expect(proof.map((p) => Buffer.from(p).toString("base64"))).toEqual(w.proof);
    }
  });
});

describe("reason codes and typed errors", () => {
  const { lookup } = storeOf(appendLeaves(EMPTY_FRONTIER, leaves8).newNodes);
  const root8 = fromHex(tree8.rootHashes[8]!);
  const root5 = fromHex(tree8.rootHashes[5]!);

  it("inclusion: each failure has its own stable code", () => {
    const proof = buildInclusionProof(5, 8, lookup);
    const leaf = leaves8[5]!;
    expect(verifyInclusion(leaf, 5, 8, proof, root8)).toEqual({ ok: true });
    expect(verifyInclusion(leaf, 8, 8, proof, root8)).toEqual({
      ok: false,
      reason: "merkle/index_out_of_range",
    });
    expect(verifyInclusion(leaf, 0, 0, [], EMPTY_ROOT)).toEqual({
      ok: false,
      reason: "merkle/index_out_of_range",
    });
    expect(verifyInclusion(leaf, 5, 8, proof.slice(1), root8)).toEqual({
      ok: false,
      reason: "merkle/wrong_proof_length",
    });
    expect(verifyInclusion(leaf, 5, 8, [...proof.slice(1), new Uint8Array(31)], root8)).toEqual({
      ok: false,
      reason: "merkle/bad_hash_length",
    });
    expect(verifyInclusion(leaf.slice(1), 5, 8, proof, root8)).toEqual({
      ok: false,
      reason: "merkle/bad_hash_length",
    });
    expect(verifyInclusion(leaf, 5, 8, proof, root5)).toEqual({
      ok: false,
      reason: "merkle/root_mismatch",
    });
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY]) {
      expect(verifyInclusion(leaf, bad, 8, proof, root8)).toEqual({
        ok: false,
        reason: "merkle/bad_size",
      });
      expect(verifyInclusion(leaf, 5, bad, proof, root8)).toEqual({
        ok: false,
        reason: "merkle/bad_size",
      });
    }
  });

  it("consistency: each failure has its own stable code", () => {
    const proof = buildConsistencyProof(5, 8, lookup);
    expect(verifyConsistency(5, 8, root5, root8, proof)).toEqual({ ok: true });
    expect(verifyConsistency(8, 5, root8, root5, proof)).toEqual({
      ok: false,
      reason: "merkle/sizes_out_of_order",
    });
    expect(verifyConsistency(0, 8, EMPTY_ROOT, root8, [])).toEqual({
      ok: false,
      reason: "merkle/empty_first_tree",
    });
    expect(verifyConsistency(8, 8, root8, root8, [])).toEqual({ ok: true });
    expect(verifyConsistency(8, 8, root8, root8, proof)).toEqual({
      ok: false,
      reason: "merkle/wrong_proof_length",
    });
    expect(verifyConsistency(5, 8, root5, root8, [...proof, root8])).toEqual({
      ok: false,
      reason: "merkle/wrong_proof_length",
    });
    expect(verifyConsistency(5, 8, root5, root8, [new Uint8Array(32), ...proof.slice(1)])).toEqual({
      ok: false,
      reason: "merkle/root_mismatch",
    });
    expect(verifyConsistency(5, 8, root8, root5, proof)).toEqual({
      ok: false,
      reason: "merkle/root_mismatch",
    });
  });

  it("assert variants throw SaylauError with the reason as code", () => {
    const proof = buildInclusionProof(5, 8, lookup);
    expect(() => assertInclusion(leaves8[5]!, 5, 8, proof, root8)).not.toThrow();
    try {
      assertInclusion(leaves8[4]!, 5, 8, proof, root8);
      expect.unreachable("assertInclusion accepted the wrong leaf");
    } catch (e) {
      expect(isSaylauError(e, "merkle/root_mismatch")).toBe(true);
    }
    try {
      assertConsistency(3, 2, root8, root8, []);
      expect.unreachable("assertConsistency accepted size1 > size2");
    } catch (e) {
      expect(isSaylauError(e, "merkle/sizes_out_of_order")).toBe(true);
    }
  });

  it("builders throw typed errors for missing nodes and bad arguments", () => {
    const errCode = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isSaylauError(e) ? e.code : `untyped: ${String(e)}`;
      }
      return undefined;
    };
    const partial = storeOf(appendLeaves(EMPTY_FRONTIER, leaves8.slice(0, 4)).newNodes).lookup;
    expect(errCode(() => buildInclusionProof(1, 8, partial))).toBe("merkle/missing_node");
    expect(errCode(() => buildConsistencyProof(2, 8, partial))).toBe("merkle/missing_node");
    expect(errCode(() => rootAtSize(5, partial))).toBe("merkle/missing_node");
    expect(errCode(() => buildInclusionProof(8, 8, lookup))).toBe("merkle/index_out_of_range");
    expect(errCode(() => buildConsistencyProof(5, 4, lookup))).toBe("merkle/sizes_out_of_order");
    expect(errCode(() => buildConsistencyProof(0, 4, lookup))).toBe("merkle/empty_first_tree");
    expect(errCode(() => inclusionProofNodeIds(0, 2 ** 53))).toBe("merkle/bad_size");
    expect(errCode(() => buildInclusionProof(0, 8, () => new Uint8Array(31)))).toBe(
      "merkle/bad_hash_length",
    );
    expect(buildConsistencyProof(4, 4, lookup)).toEqual([]);
    expect(errCode(() => appendLeaves(EMPTY_FRONTIER, [new Uint8Array(33)]))).toBe(
      "merkle/bad_hash_length",
    );
    expect(errCode(() => frontierFromNodes(5, [leaves8[0]!]))).toBe("merkle/bad_frontier");
    expect(
      errCode(() =>
        appendLeaves(
          { size: 2 ** 53 - 1, hashes: frontierNodeIds(2 ** 53 - 1).map(() => leaves8[0]!) },
          [leaves8[0]!],
        ),
      ),
    ).toBe("merkle/bad_size");
    expect(errCode(() => appendLeaves({ size: 3, hashes: [leaves8[0]!] }, []))).toBe(
      "merkle/bad_frontier",
    );
  });

  it("a frontier rebuilt from stored nodes continues exactly like the original", () => {
    const first = appendLeaves(EMPTY_FRONTIER, leaves8.slice(0, 5));
    const { lookup: l5 } = storeOf(first.newNodes);
    const ids = frontierNodeIds(5);
    expect(ids).toEqual([
      { level: 2, index: 0 },
      { level: 0, index: 4 },
    ]);
    const rebuilt = frontierFromNodes(
      5,
      ids.map((id) => l5(id.level, id.index)!),
    );
    expect(rebuilt).toEqual(first.frontier);
    const a = appendLeaves(rebuilt, leaves8.slice(5));
    const b = appendLeaves(first.frontier, leaves8.slice(5));
    expect(a).toEqual(b);
    expect(toHex(frontierRoot(a.frontier))).toBe(tree8.rootHashes[8]);
    // The input frontier is not mutated by an append.
    expect(first.frontier.size).toBe(5);
    expect(first.frontier.hashes).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Huge trees without huge work: a "sparse" log whose leaves are all equal to one hash Z except
// a few special indices. A perfect subtree with no special leaf has a hash that depends only
// on its level (z[level]), so any node, root or proof over up to 2^53 - 1 leaves costs
// O(53 * specials) hashes. The reference below uses BigInt arithmetic throughout, so it shares
// no integer helper with the code under test.

const Z = leafHash(new Uint8Array([0xaa]));
const zLevel: Uint8Array[] = [Z];
for (let l = 1; l <= 54; l++) zLevel.push(nodeHash(zLevel[l - 1]!, zLevel[l - 1]!));

class SparseLog {
  readonly special: Map<bigint, Uint8Array>;
  private readonly memo = new Map<string, Uint8Array>();
  constructor(specials: readonly bigint[]) {
    this.special = new Map(
      specials.map((i) => [i, leafHash(new TextEncoder().encode(`leaf ${i}`))]),
    );
  }
  private hasSpecial(lo: bigint, hi: bigint): boolean {
    for (const i of this.special.keys()) if (i >= lo && i < hi) return true;
    return false;
  }
  leaf(i: bigint): Uint8Array {
    return this.special.get(i) ?? Z;
  }
  /** RFC 9162 MTH(D[lo:hi]) from the definition, in BigInt. */
  mth(lo: bigint, hi: bigint): Uint8Array {
    const n = hi - lo;
    if (n === 0n) return EMPTY_ROOT;
    if (n === 1n) return this.leaf(lo);
    let k = 1n;
    while (k * 2n < n) k *= 2n;
    if (n === 2n * k && !this.hasSpecial(lo, hi)) return zLevel[bitLen(n) - 1]!;
    const key = `${lo}:${hi}`;
    let h = this.memo.get(key);
    if (h === undefined) {
      h = nodeHash(this.mth(lo, lo + k), this.mth(lo + k, hi));
      this.memo.set(key, h);
    }
    return h;
  }
  readonly lookup: NodeLookup = (level, index) => {
    const w = 1n << BigInt(level);
    return this.mth(BigInt(index) * w, (BigInt(index) + 1n) * w);
  };
}

function bitLen(n: bigint): number {
  return n.toString(2).length;
}

const MAX = 2 ** 53 - 1;

describe("sizes up to 2^53 - 1 (sparse log, BigInt reference)", () => {
  const sizes = [2 ** 31 + 1, 2 ** 32, 2 ** 32 + 3, 2 ** 40 + 12345, 2 ** 52, MAX - 1, MAX];

  it("node ids of a frontier are the set bits of the size, with exact indices", () => {
    for (const size of sizes) {
      const ids = frontierNodeIds(size);
      expect(rootAtSizeNodeIds(size)).toEqual(ids);
      let pos = 0n;
      const bits = BigInt(size).toString(2);
      const levels = [...bits]
        .map((b, i) => (b === "1" ? bits.length - 1 - i : -1))
        .filter((l) => l >= 0);
      expect(ids.map((id) => id.level)).toEqual(levels);
      for (const id of ids) {
        const w = 1n << BigInt(id.level);
        expect(BigInt(id.index) * w).toBe(pos);
        pos += w;
      }
      expect(pos).toBe(BigInt(size));
    }
  });

  it("roots, inclusion and consistency proofs from stored nodes verify against the reference", () => {
    for (const size of sizes) {
      const target = BigInt(size) - 2n;
      const old = BigInt(size) / 3n + 1n;
      const log = new SparseLog([0n, 5n, old - 1n, old, target, BigInt(size) - 1n]);
      const root = log.mth(0n, BigInt(size));
      expect(toHex(rootAtSize(size, log.lookup))).toBe(toHex(root));

      const idx = Number(target);
      const proof = buildInclusionProof(idx, size, log.lookup);
      expect(proof.length).toBeLessThanOrEqual(53);
      expect(verifyInclusion(log.leaf(target), idx, size, proof, root)).toEqual({ ok: true });
      expect(verifyInclusion(log.leaf(target), idx - 1, size, proof, root).ok).toBe(false);
      expect(
        verifyInclusion(log.leaf(5n), 5, size, buildInclusionProof(5, size, log.lookup), root),
      ).toEqual({ ok: true });

      const m = Number(old);
      const oldRoot = log.mth(0n, old);
      const cproof = buildConsistencyProof(m, size, log.lookup);
      expect(verifyConsistency(m, size, oldRoot, root, cproof)).toEqual({ ok: true });
      expect(verifyConsistency(m + 1, size, log.mth(0n, old + 1n), root, cproof).ok).toBe(false);
      expect(consistencyProofNodeIds(m, size).length).toBeLessThanOrEqual(2 * 53);
    }
  });

  it("a frontier at 2^53 - 5 takes four more leaves and reports the right node ids", () => {
    const start = MAX - 4;
    const log = new SparseLog([BigInt(start) - 1n]);
    const frontier = frontierFromNodes(
      start,
      frontierNodeIds(start).map((id) => log.lookup(id.level, id.index)!),
    );
    const { frontier: after, newNodes } = appendLeaves(frontier, [Z, Z, Z, Z]);
    expect(after.size).toBe(MAX);
    expect(toHex(frontierRoot(after))).toBe(toHex(log.mth(0n, BigInt(MAX))));
    // Leaves MAX-4 .. MAX-1: MAX-4 = ...1011 in binary, so leaf MAX-4 completes (1, (MAX-3)/2 - 1)
    // and (2, (MAX-3)/4 - 1); the next three complete only themselves and (1, (MAX-1)/2 - 1).
    const want = [
      [0, MAX - 4],
      [1, Number((BigInt(MAX) - 3n) / 2n - 1n)],
      [2, Number((BigInt(MAX) - 3n) / 4n - 1n)],
      [0, MAX - 3],
      [0, MAX - 2],
      [1, Number((BigInt(MAX) - 1n) / 2n - 1n)],
      [0, MAX - 1],
    ];
    expect(newNodes.map((n) => [n.level, n.index])).toEqual(want);
    for (const n of newNodes) expect(toHex(n.hash)).toBe(toHex(log.lookup(n.level, n.index)!));
  });
});
