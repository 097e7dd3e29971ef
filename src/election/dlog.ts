/**
 * Bounded discrete logarithm by baby-step giant-step: find n in 0..maxCount with T = n*G.
 *
 * Ristretto points have four Edwards representatives, so table keys come from 4*T (which
 * kills the 4-torsion coset and lands in the prime-order subgroup, where the affine x
 * coordinate names the point uniquely). Baby steps i*(4G), i < m, are computed once per table
 * size with one batched inversion and memoised for the process; a giant step subtracts
 * m*(4G), and giant steps are normalised in batches too, so each costs about one addition.
 */
import { normalizeZ } from "@noble/curves/abstract/curve.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { SaylauError } from "../errors.ts";
import type { Point } from "./group.ts";
import { G } from "./group.ts";

const Edwards = ed25519.Point;
type EdwardsPoint = InstanceType<typeof Edwards>;

/** noble keeps the Edwards representative of a ristretto point in a protected field. */
function edwardsOf(p: Point): EdwardsPoint {
  return (p as unknown as { ep: EdwardsPoint }).ep;
}

const LOW_BITS = (1n << 52n) - 1n;
const MAX_TABLE = 1 << 17;
const MIN_TABLE = 16;
const GIANT_BATCH = 64;

interface BabyStepTable {
  readonly size: number;
  /** low 52 bits of x(i*4G) -> i (first occurrence) */
  readonly byKey: Map<number, number>;
  /** full x for confirming a hit, and the rare entries whose low bits collide */
  readonly xs: bigint[];
  readonly collisions: Map<bigint, number>;
  /** -(size * 4G): one giant step */
  readonly giantStep: EdwardsPoint;
}

const tables = new Map<number, BabyStepTable>();

function buildTable(size: number): BabyStepTable {
  const step = edwardsOf(G).double().double();
  const points: EdwardsPoint[] = new Array(size);
  let acc = Edwards.ZERO;
  for (let i = 0; i < size; i++) {
    points[i] = acc;
    acc = acc.add(step);
  }
  const affine = normalizeZ(Edwards, points);
  const byKey = new Map<number, number>();
  const collisions = new Map<bigint, number>();
  const xs = affine.map((p) => p.toAffine().x);
  xs.forEach((x, i) => {
    const key = Number(x & LOW_BITS);
    if (byKey.has(key)) collisions.set(x, i);
    else byKey.set(key, i);
  });
  return { size, byKey, xs, collisions, giantStep: acc.negate() };
}

/** Table size about 4*sqrt(maxCount) (fewer giant steps, since the table is reused). */
function tableFor(maxCount: number): BabyStepTable {
  let want = MIN_TABLE;
  const target = Math.min(MAX_TABLE, 4 * Math.ceil(Math.sqrt(maxCount + 1)));
  while (want < target) want *= 2;
  for (const [size, table] of tables) if (size >= want) return table;
  const table = buildTable(want);
  tables.set(want, table);
  return table;
}

function lookup(table: BabyStepTable, x: bigint): number {
  const i = table.byKey.get(Number(x & LOW_BITS));
  if (i !== undefined && table.xs[i] === x) return i;
  return table.collisions.get(x) ?? -1;
}

/**
 * Solves n*G = target for 0 <= n <= maxCount, several targets sharing one table. Throws
 * `election/count_out_of_range` when a target has no such n (a wrong decryption or a bound
 * that is too small).
 */
export function boundedDiscreteLogs(targets: readonly Point[], maxCount: number): number[] {
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new SaylauError("election/bad_bound", "maxCount is a non-negative integer");
  }
  const table = tableFor(maxCount);
  const giantSteps = Math.floor(maxCount / table.size) + 1;
  return targets.map((target, index) => {
    let current = edwardsOf(target).double().double();
    for (let k = 0; k < giantSteps; k += GIANT_BATCH) {
      const batch: EdwardsPoint[] = [];
      for (let b = 0; b < GIANT_BATCH && k + b < giantSteps; b++) {
        batch.push(current);
        current = current.add(table.giantStep);
      }
      const affine = normalizeZ(Edwards, batch);
      for (let b = 0; b < affine.length; b++) {
        const i = lookup(table, affine[b]!.toAffine().x);
        if (i >= 0) {
          const n = (k + b) * table.size + i;
          if (n <= maxCount) return n;
        }
      }
    }
    throw new SaylauError(
      "election/count_out_of_range",
      `decrypted count ${index} is not in 0..${maxCount}`,
      { index, maxCount },
    );
  });
}

export function boundedDiscreteLog(target: Point, maxCount: number): number {
  return boundedDiscreteLogs([target], maxCount)[0]!;
}
