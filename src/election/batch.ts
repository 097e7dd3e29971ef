/**
 * Batch verification of many ballots with one random linear combination and one
 * multi-scalar multiplication (ballot-equations.ts; the backend picks Straus or Pippenger;
 * variable time is fine, everything is public).
 *
 * The Fiat-Shamir part (challenges sum to the hash) is checked per ballot: it is hashing only.
 * When the combination fails, the batch is bisected (each half re-checked with the same
 * weights) down to the individual bad ballots.
 *
 * One batch may mix ballot styles: the group equations use only the bases G and K, which
 * every style of an election shares (styleContext), while the shape and the Fiat-Shamir
 * statements (which bind the election-wide contest indices) are checked per ballot in its
 * own style. With 200 districts, batching per style left most batches a single ballot.
 */
import { isSaylauError, SaylauError } from "../errors.ts";
import { type BallotBody, challengesHold, checkCredential, decodeBallotPoints } from "./ballot.ts";
import {
  combinationHolds,
  type DecodedBallot,
  termsOfBallot,
  type WeightedTerms,
  weightSource,
} from "./ballot-equations.ts";
import type { ElectionContext } from "./context.ts";
import { type Rng, systemRng } from "./rng.ts";

export interface BatchItem {
  readonly credential: Uint8Array;
  readonly body: BallotBody;
  /**
   * The ballot style this ballot is checked in (styleContext of the batch's election); the
   * batch's own context when absent. It must share the batch context's bases.
   */
  readonly style?: ElectionContext;
}

/** Everything except the group equations: shape, encodings and Fiat-Shamir sums. */
function checkHashes(ctx: ElectionContext, item: BatchItem): DecodedBallot {
  checkCredential(item.credential);
  const decoded = decodeBallotPoints(ctx, item.body);
  if (!challengesHold(ctx, item.credential, item.body, decoded)) {
    throw new SaylauError("election/bad_proof", "challenges do not sum to the hash");
  }
  return decoded;
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
    const style = item.style ?? ctx;
    if (style.bases !== ctx.bases) {
      // A programming error, not a bad ballot: another election's context was passed in.
      throw new Error("a batch mixes contexts of different elections");
    }
    try {
      const decoded = checkHashes(style, item);
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
