/**
 * Merkle log benchmark: `npx node bench/merkle.ts`. Prints measured numbers only.
 *
 * 1. Append cost per leaf for batches of k leaves into a 1M-leaf frontier: successive batches
 *    grow the log from 1M (at most +100k leaves per row), so merge costs are the real amortised
 *    ones rather than those of one fixed position.
 * 2. Per tree size (1e3, 1e6, 1e9): node ids (= store reads) per inclusion / consistency proof,
 *    time to list ids + assemble the proof from already-read nodes, and time to verify.
 *    Sizes 1e3 and 1e6 use the nodes a real 1M-leaf append emitted. 1e9 leaves cannot be built
 *    here, so that row uses a log whose leaves all hash to one value: a perfect node's hash then
 *    depends only on its level, node ids and proof shapes are those of a real 1e9 log, and
 *    hashing and verification costs are identical. Node hashes are fetched into a Map before
 *    timing, as a store read would, so the timings exclude I/O.
 */
import { utf8 } from "../src/crypto/bytes.ts";
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
  type NodeId,
  type NodeLookup,
  nodeHash,
  rootAtSize,
  verifyConsistency,
  verifyInclusion,
} from "../src/crypto/merkle.ts";

// Deterministic PRNG (mulberry32) so runs are comparable.
let seed = 0x5a71a0;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

const fmt = (x: number, digits = 2): string => x.toFixed(digits);

// ---------------------------------------------------------------------------------------------
// Build the 1M-leaf log once, keeping every emitted node in one flat buffer per level.

const BASE = 1_000_000;
const levels: Uint8Array[] = [];
for (let w = 1; w <= BASE; w *= 2) levels.push(new Uint8Array(Math.floor(BASE / w) * 32));
const stored: NodeLookup = (level, index) => {
  const buf = levels[level];
  if (buf === undefined || (index + 1) * 32 > buf.length) return undefined;
  return buf.subarray(index * 32, index * 32 + 32);
};

const leaves = Array.from({ length: BASE }, (_, i) => leafHash(utf8(`bench leaf ${i}`)));
let t0 = performance.now();
const built = appendLeaves(EMPTY_FRONTIER, leaves);
const buildMs = performance.now() - t0;
for (const n of built.newNodes) levels[n.level]!.set(n.hash, n.index * 32);
const base: Frontier = built.frontier;
console.log(
  `built a ${BASE.toLocaleString("en")}-leaf log in one append: ${fmt(buildMs, 0)} ms, ` +
    `${built.newNodes.length.toLocaleString("en")} nodes emitted`,
);

// ---------------------------------------------------------------------------------------------
console.log(`\nAppend into a ${BASE.toLocaleString("en")}-leaf frontier`);
console.log("batch k | appends | us/append | us/leaf | nodes emitted/leaf");
const fresh = Array.from({ length: 10_000 }, (_, i) => leafHash(utf8(`new leaf ${i}`)));
for (const k of [1, 10, 100, 1_000, 10_000]) {
  const reps = Math.max(20, Math.floor(100_000 / k));
  const batch = fresh.slice(0, k);
  let emitted = 0;
  for (let r = 0; r < Math.min(reps, 10); r++) appendLeaves(base, batch); // warm-up
  let frontier = base;
  t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const res = appendLeaves(frontier, batch);
    frontier = res.frontier;
    emitted += res.newNodes.length;
  }
  const ms = performance.now() - t0;
  console.log(
    `${String(k).padStart(7)} | ${String(reps).padStart(7)} | ${fmt((ms * 1000) / reps).padStart(9)} | ` +
      `${fmt((ms * 1000) / (reps * k)).padStart(7)} | ${fmt(emitted / (reps * k))}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Uniform log for 1e9: every leaf is Z, a perfect node at level l hashes to zl[l].

const Z = leafHash(utf8("uniform leaf"));
const zl: Uint8Array[] = [Z];
for (let l = 1; l <= 53; l++) zl.push(nodeHash(zl[l - 1]!, zl[l - 1]!));
const uniform: NodeLookup = (level) => zl[level];

function prefetch(ids: readonly NodeId[], source: NodeLookup): NodeLookup {
  const m = new Map<string, Uint8Array>();
  for (const id of ids) m.set(`${id.level}:${id.index}`, source(id.level, id.index)!);
  return (level, index) => m.get(`${level}:${index}`);
}

interface Row {
  size: number;
  kind: string;
  meanIds: number;
  maxIds: number;
  meanLen: number;
  genUs: number;
  verifyUs: number;
}

function benchSize(size: number, source: NodeLookup, leafAt: (i: number) => Uint8Array): Row[] {
  const samples = 2_000;
  const root = rootAtSize(size, source);
  const rows: Row[] = [];

  // Inclusion: random leaves.
  let ids = 0;
  let maxIds = 0;
  let len = 0;
  let gen = 0;
  let ver = 0;
  for (let s = 0; s < samples; s++) {
    const i = randInt(0, size - 1);
    const nodeIds = inclusionProofNodeIds(i, size);
    const lookup = prefetch(nodeIds, source);
    let t = performance.now();
    const proof = buildInclusionProof(i, size, lookup);
    gen += performance.now() - t;
    const leaf = leafAt(i);
    t = performance.now();
    const ok = verifyInclusion(leaf, i, size, proof, root).ok;
    ver += performance.now() - t;
    if (!ok) throw new Error(`inclusion (${i}, ${size}) failed to verify`);
    ids += nodeIds.length;
    maxIds = Math.max(maxIds, nodeIds.length);
    len += proof.length;
  }
  rows.push({
    size,
    kind: "inclusion",
    meanIds: ids / samples,
    maxIds,
    meanLen: len / samples,
    genUs: (gen * 1000) / samples,
    verifyUs: (ver * 1000) / samples,
  });

  // Consistency: random older size.
  ids = 0;
  maxIds = 0;
  len = 0;
  gen = 0;
  ver = 0;
  for (let s = 0; s < samples; s++) {
    const m = randInt(1, size - 1);
    const nodeIds = consistencyProofNodeIds(m, size);
    const lookup = prefetch(nodeIds, source);
    const oldRoot = rootAtSize(m, source);
    let t = performance.now();
    const proof = buildConsistencyProof(m, size, lookup);
    gen += performance.now() - t;
    t = performance.now();
    const ok = verifyConsistency(m, size, oldRoot, root, proof).ok;
    ver += performance.now() - t;
    if (!ok) throw new Error(`consistency (${m}, ${size}) failed to verify`);
    ids += nodeIds.length;
    maxIds = Math.max(maxIds, nodeIds.length);
    len += proof.length;
  }
  rows.push({
    size,
    kind: "consistency",
    meanIds: ids / samples,
    maxIds,
    meanLen: len / samples,
    genUs: (gen * 1000) / samples,
    verifyUs: (ver * 1000) / samples,
  });
  return rows;
}

// Sanity: the stored 1M log's root is the frontier's root.
const r1m = rootAtSize(BASE, stored);
if (Buffer.compare(r1m, frontierRoot(base)) !== 0) throw new Error("stored root != frontier root");

const rows = [
  ...benchSize(1_000, stored, (i) => leaves[i]!),
  ...benchSize(BASE, stored, (i) => leaves[i]!),
  ...benchSize(1_000_000_000, uniform, () => Z),
];
console.log("\nProofs (2,000 random samples per row; gen = build from prefetched nodes)");
console.log("size          | proof       | node reads mean | max | proof len | gen us | verify us");
for (const r of rows) {
  console.log(
    `${r.size.toExponential(0).padEnd(13)} | ${r.kind.padEnd(11)} | ${fmt(r.meanIds).padStart(15)} | ` +
      `${String(r.maxIds).padStart(3)} | ${fmt(r.meanLen).padStart(9)} | ${fmt(r.genUs).padStart(6)} | ` +
      `${fmt(r.verifyUs).padStart(9)}`,
  );
}
console.log("(1e9 row: uniform-leaf log, see header comment)");
