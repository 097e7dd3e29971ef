/**
 * A ballot's group equations as one random linear combination: the check shared by single
 * (ballot.ts) and batch (batch.ts) verification.
 *
 * Every branch j of every range proof contributes two equations that must be the identity:
 *   E1 = v_j*G - a_j - c_j*alpha          E2 = v_j*K - b_j - c_j*beta + c_j*j*G
 * Each equation gets an independent random 128-bit weight; the weighted sum over the ballots
 * is one MSM over the points G, K, every a_j, b_j, alpha, beta (coefficients of the same point
 * are added up first, and a contest proof's sum ciphertext (A, B) is folded into its
 * selections' alpha and beta, so it costs no extra points). Weights are odd (never zero), so a
 * combination containing a false equation is the identity with probability at most 2^-127,
 * while one of true equations always is.
 */
import type { ElectionContext } from "./context.ts";
import { bytesToBigIntLE, mod, msmPublic, negate, type Point } from "./group.ts";
import type { DecodedBranch } from "./range-proof.ts";
import { type Rng, seededRng } from "./rng.ts";

export interface DecodedSelection {
  readonly alpha: Point;
  readonly beta: Point;
  readonly branches: readonly DecodedBranch[];
}
export interface DecodedContest {
  readonly selections: readonly DecodedSelection[];
  readonly sumAlpha: Point;
  readonly sumBeta: Point;
  readonly branches: readonly DecodedBranch[];
}
export interface DecodedBallot {
  readonly contests: readonly DecodedContest[];
}

/** One ballot's share of the combined equation: sum(scalars[i]*points[i]) + g*G + k*K. */
export interface WeightedTerms {
  readonly points: Point[];
  readonly scalars: bigint[];
  g: bigint;
  k: bigint;
}

export type WeightSource = () => bigint;

export function weightSource(rng: Rng): WeightSource {
  // One 32-byte draw from the caller's rng seeds a fast stream of 128-bit weights.
  const stream = seededRng(rng(32));
  return () => bytesToBigIntLE(stream(16)) | 1n;
}

/**
 * Adds the weighted equations of one range proof; returns the total coefficients of alpha and
 * beta so the caller can merge them with other uses of the same ciphertext.
 */
function addRangeProof(
  terms: WeightedTerms,
  branches: readonly DecodedBranch[],
  weight: WeightSource,
): { alpha: bigint; beta: bigint } {
  let alpha = 0n;
  let beta = 0n;
  branches.forEach((br, j) => {
    const w1 = weight();
    const w2 = weight();
    terms.g += w1 * br.v + w2 * br.c * BigInt(j);
    terms.k += w2 * br.v;
    terms.points.push(br.a, br.b);
    terms.scalars.push(negate(w1), negate(w2));
    alpha -= w1 * br.c;
    beta -= w2 * br.c;
  });
  return { alpha, beta };
}

export function termsOfBallot(decoded: DecodedBallot, weight: WeightSource): WeightedTerms {
  const terms: WeightedTerms = { points: [], scalars: [], g: 0n, k: 0n };
  for (const contest of decoded.contests) {
    const sum = addRangeProof(terms, contest.branches, weight);
    for (const sel of contest.selections) {
      const own = addRangeProof(terms, sel.branches, weight);
      terms.points.push(sel.alpha, sel.beta);
      terms.scalars.push(mod(own.alpha + sum.alpha), mod(own.beta + sum.beta));
    }
  }
  terms.g = mod(terms.g);
  terms.k = mod(terms.k);
  return terms;
}

/** Whether the weighted equations of these ballots together hold: one MSM. */
export function combinationHolds(ctx: ElectionContext, group: readonly WeightedTerms[]): boolean {
  const points: Point[] = [ctx.bases.G, ctx.bases.K];
  let g = 0n;
  let k = 0n;
  const scalars: bigint[] = [0n, 0n];
  for (const t of group) {
    for (let i = 0; i < t.points.length; i++) {
      points.push(t.points[i]!);
      scalars.push(t.scalars[i]!);
    }
    g += t.g;
    k += t.k;
  }
  scalars[0] = mod(g);
  scalars[1] = mod(k);
  return msmPublic(points, scalars).is0();
}
