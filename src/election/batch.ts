/**
 * Batch verification of many ballots with one random linear combination and one
 * multi-scalar multiplication (Pippenger; variable time is fine, everything is public).
 *
 * Every branch j of every range proof contributes two equations that must be the identity:
 *   E1 = v_j*G - a_j - c_j*alpha          E2 = v_j*K - b_j - c_j*beta + c_j*j*G
 * Each equation gets an independent random 128-bit weight; the weighted sum over the whole
 * batch is one MSM over the points G, K, every a_j, b_j, alpha, beta (coefficients of the same
 * point are added up first, and a contest proof's sum ciphertext (A, B) is folded into its
 * selections' alpha and beta, so it costs no extra points). Weights are odd (never zero), so
 * a batch containing a false equation passes with probability at most 2^-127.
 *
 * The Fiat-Shamir part (challenges sum to the hash) is checked per ballot: it is hashing only.
 * When the combination fails, the batch is bisected (each half re-checked with the same
 * weights) down to the individual bad ballots.
 */
import { pippenger } from "@noble/curves/abstract/curve.js";
import { isSaylauError, SaylauError } from "../errors.ts";
import {
  type BallotBody,
  checkCredential,
  contestStatement,
  type DecodedBallot,
  decodeBallotPoints,
  selectionStatement,
} from "./ballot.ts";
import type { ElectionContext } from "./context.ts";
import { bytesToBigIntLE, mod, negate, Point } from "./group.ts";
import { challengesSumToHash, type DecodedBranch } from "./range-proof.ts";
import { type Rng, seededRng, systemRng } from "./rng.ts";

export interface BatchItem {
  readonly credential: Uint8Array;
  readonly body: BallotBody;
}

/** One ballot's share of the combined equation: sum(scalars[i]*points[i]) + g*G + k*K. */
interface WeightedTerms {
  readonly points: Point[];
  readonly scalars: bigint[];
  g: bigint;
  k: bigint;
}

type WeightSource = () => bigint;

function weightSource(rng: Rng): WeightSource {
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

function termsOfBallot(decoded: DecodedBallot, weight: WeightSource): WeightedTerms {
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

/** Everything except the group equations: shape, encodings and Fiat-Shamir sums. */
function checkHashes(ctx: ElectionContext, item: BatchItem): DecodedBallot {
  checkCredential(item.credential);
  const decoded = decodeBallotPoints(ctx, item.body);
  item.body.contests.forEach((contest, i) => {
    const dc = decoded.contests[i]!;
    contest.selections.forEach((sel, j) => {
      const st = selectionStatement(ctx, item.credential, i, j, sel.alpha, sel.beta);
      if (!challengesSumToHash(st, sel.proof, dc.selections[j]!.branches)) {
        throw new SaylauError("election/bad_proof", "selection challenges do not sum to the hash");
      }
    });
    const st = contestStatement(
      ctx,
      item.credential,
      i,
      dc.sumAlpha.toBytes(),
      dc.sumBeta.toBytes(),
    );
    if (!challengesSumToHash(st, contest.proof, dc.branches)) {
      throw new SaylauError("election/bad_proof", "contest challenges do not sum to the hash");
    }
  });
  return decoded;
}

function combinationHolds(ctx: ElectionContext, group: readonly WeightedTerms[]): boolean {
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
  return pippenger(Point, points, scalars).is0();
}

/**
 * Verifies all items; returns the indices of the bad ones (empty when all are valid), in
 * increasing order. Malformed bodies and failed Fiat-Shamir sums are caught per ballot before
 * the MSM; the group equations of the rest are checked together.
 */
export function verifyBallotsBatch(
  ctx: ElectionContext,
  items: readonly BatchItem[],
  rng: Rng = systemRng,
): number[] {
  const bad: number[] = [];
  const candidates: { index: number; terms: WeightedTerms }[] = [];
  const weight = weightSource(rng);
  items.forEach((item, index) => {
    try {
      const decoded = checkHashes(ctx, item);
      candidates.push({ index, terms: termsOfBallot(decoded, weight) });
    } catch (err) {
      if (!isSaylauError(err)) throw err;
      bad.push(index);
    }
  });
  // `knownToFail`: the parent failed and the sibling passed, so this group needs no check.
  const bisect = (group: typeof candidates, knownToFail: boolean): void => {
    if (group.length === 0) return;
    if (
      !knownToFail &&
      combinationHolds(
        ctx,
        group.map((c) => c.terms),
      )
    )
      return;
    if (group.length === 1) {
      bad.push(group[0]!.index);
      return;
    }
    const half = group.length >> 1;
    const left = group.slice(0, half);
    const right = group.slice(half);
    const leftHolds = combinationHolds(
      ctx,
      left.map((c) => c.terms),
    );
    if (!leftHolds) bisect(left, true);
    bisect(right, leftHolds);
  };
  bisect(candidates, false);
  return bad.sort((a, b) => a - b);
}
