/**
 * The encrypted tally: per contest, per option the product (sum, in additive notation) of
 * every counted ballot's ciphertexts, plus how many ballots are in it. ElGamal is additively
 * homomorphic, so adding a ballot adds its ciphertexts and revoting subtracts the
 * credential's earlier ballot. Values are immutable: each operation returns a new tally, so
 * the ledger can keep the state of any height.
 */
import { array, bytes, decodeWith, encodeWith, struct, uint } from "../codec/schema.ts";
import { taggedHash } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";
import type { BallotBody } from "./ballot.ts";
import type { ElectionContext } from "./context.ts";
import { MAX_CONTESTS, MAX_OPTIONS } from "./description.ts";
import { decodePoint, encodePublicPoint, IDENTITY, type Point } from "./group.ts";

export interface TallyCiphertext {
  readonly alpha: Point;
  readonly beta: Point;
}

export interface EncryptedTally {
  readonly ballotCount: number;
  readonly contests: readonly (readonly TallyCiphertext[])[];
}

export const encryptedTallyCodec = struct({
  ballotCount: uint(),
  contests: array(
    array(struct({ alpha: bytes(32), beta: bytes(32) }), MAX_OPTIONS, 1),
    MAX_CONTESTS,
    1,
  ),
});

export const TALLY_HASH_TAG = "saylau/v1/election/tally";

export function emptyTally(ctx: ElectionContext): EncryptedTally {
  return {
    ballotCount: 0,
    contests: ctx.shapes.map((s) =>
      Array.from({ length: s.options }, () => ({ alpha: IDENTITY, beta: IDENTITY })),
    ),
  };
}

function combine(
  ctx: ElectionContext,
  tally: EncryptedTally,
  body: BallotBody,
  sign: 1 | -1,
): EncryptedTally {
  checkTallyShape(ctx, tally);
  checkBallotShape(ctx, body);
  const ballotCount = tally.ballotCount + sign;
  if (ballotCount < 0) {
    throw new SaylauError("election/empty_tally", "cannot subtract a ballot from an empty tally");
  }
  // Only the selections' ciphertexts enter the tally: decoding the proof points too would
  // triple the cost of applying an already verified ballot.
  return {
    ballotCount,
    contests: tally.contests.map((row, i) =>
      row.map((ct, j) => {
        const sel = body.contests[i]!.selections[j]!;
        const field = `contests[${i}].selections[${j}]`;
        const alpha = decodePoint(sel.alpha, `${field}.alpha`);
        const beta = decodePoint(sel.beta, `${field}.beta`);
        return sign === 1
          ? { alpha: ct.alpha.add(alpha), beta: ct.beta.add(beta) }
          : { alpha: ct.alpha.subtract(alpha), beta: ct.beta.subtract(beta) };
      }),
    ),
  };
}

function checkBallotShape(ctx: ElectionContext, body: BallotBody): void {
  const ok =
    body.contests.length === ctx.shapes.length &&
    body.contests.every((c, i) => c.selections.length === ctx.shapes[i]!.options);
  if (!ok) throw new SaylauError("election/wrong_shape", "ballot does not match the election");
}

/** Adds a ballot the ledger has already verified (this function does not check proofs). */
export function addBallot(
  ctx: ElectionContext,
  tally: EncryptedTally,
  body: BallotBody,
): EncryptedTally {
  return combine(ctx, tally, body, 1);
}

/** Removes a ballot previously added (revoting replaces a credential's earlier ballot). */
export function subtractBallot(
  ctx: ElectionContext,
  tally: EncryptedTally,
  body: BallotBody,
): EncryptedTally {
  return combine(ctx, tally, body, -1);
}

function checkTallyShape(ctx: ElectionContext, tally: EncryptedTally): void {
  const ok =
    tally.contests.length === ctx.shapes.length &&
    tally.contests.every((row, i) => row.length === ctx.shapes[i]!.options);
  if (!ok) throw new SaylauError("election/wrong_shape", "tally does not match the election");
}

/** Canonical bytes: {ballotCount, contests: [[{alpha, beta}]]}; for the ledger's stateHash. */
export function encodeTally(tally: EncryptedTally): Uint8Array {
  return encodeWith(encryptedTallyCodec, {
    ballotCount: tally.ballotCount,
    contests: tally.contests.map((row) =>
      row.map((ct) => ({ alpha: encodePublicPoint(ct.alpha), beta: encodePublicPoint(ct.beta) })),
    ),
  });
}

export function decodeTally(ctx: ElectionContext, encoded: Uint8Array): EncryptedTally {
  const raw = decodeWith(encryptedTallyCodec, encoded);
  const tally: EncryptedTally = {
    ballotCount: raw.ballotCount,
    contests: raw.contests.map((row, i) =>
      row.map((ct, j) => ({
        alpha: decodePoint(ct.alpha, `contests[${i}][${j}].alpha`),
        beta: decodePoint(ct.beta, `contests[${i}][${j}].beta`),
      })),
    ),
  };
  checkTallyShape(ctx, tally);
  return tally;
}

/** H("saylau/v1/election/tally", encodeTally(tally)): what a decryption share names. */
export function tallyHash(tally: EncryptedTally): Uint8Array {
  return taggedHash(TALLY_HASH_TAG, encodeTally(tally));
}
