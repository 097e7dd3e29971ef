/**
 * The ballot body: per contest, per option an exponential ElGamal ciphertext
 * (alpha, beta) = (r*G, v*G + r*K) with a 0/1 range proof, and per contest a range proof
 * that the sum of the selections is in 0..limit (undervotes allowed). No signature: the
 * ledger wraps the body in a transaction signed by the voter's ed25519 credential, and every
 * challenge here binds that credential's public key, so a body cannot be replayed under
 * another credential or in another election.
 */
import { array, bytes, decodeWith, encodeWith, type Infer, struct } from "../codec/schema.ts";
import { concatBytes } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import {
  combinationHolds,
  type DecodedBallot,
  termsOfBallot,
  weightSource,
} from "./ballot-equations.ts";
import type { ElectionContext } from "./context.ts";
import { MAX_CONTESTS, MAX_OPTIONS } from "./description.ts";
import {
  decodePoint,
  encodePoint,
  encodePublicPoint,
  IDENTITY,
  mod,
  mulSecret,
  smallMultipleOfG,
} from "./group.ts";
import { DST, u32be } from "./hash-to-scalar.ts";
import {
  challengesSumToHash,
  decodeBranches,
  failingBranch,
  proveRange,
  type RangeStatement,
} from "./range-proof.ts";
import { type Rng, randomScalar, systemRng } from "./rng.ts";

const point32 = bytes(32);
const scalar32 = bytes(32);

export const proofBranchCodec = struct({ a: point32, b: point32, c: scalar32, v: scalar32 });

export const encryptedSelectionCodec = struct({
  alpha: point32,
  beta: point32,
  /** Two branches: the selection is 0 or 1. */
  proof: array(proofBranchCodec, 2, 2),
});

export const encryptedContestCodec = struct({
  selections: array(encryptedSelectionCodec, MAX_OPTIONS, 1),
  /** limit + 1 branches: the number of selections is 0..limit. */
  proof: array(proofBranchCodec, MAX_OPTIONS + 1, 2),
});

export const ballotBodyCodec = struct({
  contests: array(encryptedContestCodec, MAX_CONTESTS, 1),
});
export type BallotBody = Infer<typeof ballotBodyCodec>;

export const CREDENTIAL_LENGTH = 32;
/** Larger than any ballot the limits above allow (256 contests x 256 options would be ~90 MiB). */
export const MAX_BALLOT_BYTES = 1024 * 1024;

export function checkCredential(credential: Uint8Array): void {
  if (!(credential instanceof Uint8Array) || credential.length !== CREDENTIAL_LENGTH) {
    throw new SaylauError(
      "election/bad_credential",
      `a credential public key is ${CREDENTIAL_LENGTH} bytes`,
    );
  }
}

/**
 * Selection statement: electionId (32) || credential (32) || K (32) || u32be(contest) ||
 * u32be(option), where contest is the election-wide index (ctx.contestNumbers), under DST "saylau/v1/election/selection-proof"; the challenge then appends
 * alpha || beta || a_0 || b_0 || a_1 || b_1.
 */
export function selectionStatement(
  ctx: ElectionContext,
  credential: Uint8Array,
  contest: number,
  option: number,
  alphaBytes: Uint8Array,
  betaBytes: Uint8Array,
): RangeStatement {
  return {
    dst: DST.selectionProof,
    context: concatBytes(
      ctx.electionId,
      credential,
      ctx.jointKeyBytes,
      u32be(ctx.contestNumbers[contest]!),
      u32be(option),
    ),
    alphaBytes,
    betaBytes,
    limit: 1,
  };
}

/**
 * Contest statement: electionId (32) || credential (32) || K (32) || u32be(contest) ||
 * u32be(limit), contest being the election-wide index, under DST "saylau/v1/election/contest-proof", over the ciphertext
 * (A, B) = (sum alpha, sum beta) of the contest's selections.
 */
export function contestStatement(
  ctx: ElectionContext,
  credential: Uint8Array,
  contest: number,
  sumAlphaBytes: Uint8Array,
  sumBetaBytes: Uint8Array,
): RangeStatement {
  const limit = ctx.shapes[contest]!.limit;
  return {
    dst: DST.contestProof,
    context: concatBytes(
      ctx.electionId,
      credential,
      ctx.jointKeyBytes,
      u32be(ctx.contestNumbers[contest]!),
      u32be(limit),
    ),
    alphaBytes: sumAlphaBytes,
    betaBytes: sumBetaBytes,
    limit,
  };
}

/** choices[contest][option] is 0 or 1; at most `limit` ones per contest. */
export type Choices = readonly (readonly number[])[];

export function checkChoices(ctx: ElectionContext, choices: Choices): void {
  if (!Array.isArray(choices) || choices.length !== ctx.shapes.length) {
    throw new SaylauError("election/wrong_shape", `a ballot has ${ctx.shapes.length} contests`);
  }
  choices.forEach((row, i) => {
    const shape = ctx.shapes[i]!;
    if (!Array.isArray(row) || row.length !== shape.options) {
      throw new SaylauError("election/wrong_shape", `contest ${i} has ${shape.options} options`, {
        contest: i,
      });
    }
    let sum = 0;
    row.forEach((v, j) => {
      if (v !== 0 && v !== 1) {
        throw new SaylauError("election/bad_choice", `contest ${i} option ${j}: choose 0 or 1`, {
          contest: i,
          option: j,
        });
      }
      sum += v;
    });
    if (sum > shape.limit) {
      throw new SaylauError(
        "election/wrong_limit",
        `contest ${i}: ${sum} selections, limit ${shape.limit}`,
        { contest: i, selections: sum, limit: shape.limit },
      );
    }
  });
}

export function encryptBallot(
  ctx: ElectionContext,
  credentialPublicKey: Uint8Array,
  choices: Choices,
  rng: Rng = systemRng,
): BallotBody {
  return encryptBallotWithNonces(ctx, credentialPublicKey, choices, rng).body;
}

/**
 * encryptBallot that also returns each selection's nonce r (nonces[contest][option]): what a
 * voter reveals to challenge a ballot (challenge.ts) before discarding it, never for a ballot
 * that is cast.
 */
export function encryptBallotWithNonces(
  ctx: ElectionContext,
  credentialPublicKey: Uint8Array,
  choices: Choices,
  rng: Rng = systemRng,
): { body: BallotBody; nonces: bigint[][] } {
  checkCredential(credentialPublicKey);
  checkChoices(ctx, choices);
  const { G, K } = ctx.bases;
  const nonces: bigint[][] = [];
  const contests = choices.map((row, i) => {
    const rowNonces: bigint[] = [];
    nonces.push(rowNonces);
    let sumNonce = 0n;
    let sumAlpha = IDENTITY;
    let sumBeta = IDENTITY;
    let sumValue = 0;
    const selections = row.map((value, j) => {
      const r = randomScalar(rng);
      rowNonces.push(r);
      const alpha = mulSecret(G, r);
      const beta = smallMultipleOfG(value).add(mulSecret(K, r));
      const alphaBytes = encodePoint(alpha);
      const betaBytes = encodePoint(beta);
      const statement = selectionStatement(ctx, credentialPublicKey, i, j, alphaBytes, betaBytes);
      const proof = proveRange(ctx.bases, statement, alpha, beta, r, value, rng);
      sumNonce = mod(sumNonce + r);
      sumAlpha = sumAlpha.add(alpha);
      sumBeta = sumBeta.add(beta);
      sumValue += value;
      return { alpha: alphaBytes, beta: betaBytes, proof };
    });
    const statement = contestStatement(
      ctx,
      credentialPublicKey,
      i,
      sumAlpha.toBytes(),
      sumBeta.toBytes(),
    );
    const proof = proveRange(ctx.bases, statement, sumAlpha, sumBeta, sumNonce, sumValue, rng);
    return { selections, proof };
  });
  return { body: { contests }, nonces };
}

export function encodeBallot(body: BallotBody): Uint8Array {
  return encodeWith(ballotBodyCodec, body);
}

/**
 * Canonical decoding plus every point and scalar checked (typed `election/bad_point`,
 * `election/bad_scalar`); the proofs are checked by verifyBallot with the credential.
 */
export function decodeBallot(ctx: ElectionContext, encoded: Uint8Array): BallotBody {
  const body = decodeWith(ballotBodyCodec, encoded, MAX_BALLOT_BYTES);
  decodeBallotPoints(ctx, body);
  return body;
}

export type { DecodedBallot, DecodedContest, DecodedSelection } from "./ballot-equations.ts";

/**
 * Checks the body's shape against the election and decodes every point and scalar. Point
 * decodings are memoised per byte array (group.ts), so calling this again is cheap.
 */
export function decodeBallotPoints(ctx: ElectionContext, body: BallotBody): DecodedBallot {
  ballotBodyCodec.check(body, "ballot");
  checkShape(ctx, body);
  const decoded: DecodedBallot = {
    contests: body.contests.map((contest, i) => {
      let sumAlpha = IDENTITY;
      let sumBeta = IDENTITY;
      const selections = contest.selections.map((sel, j) => {
        const field = `contests[${i}].selections[${j}]`;
        const alpha = decodePoint(sel.alpha, `${field}.alpha`);
        const beta = decodePoint(sel.beta, `${field}.beta`);
        sumAlpha = sumAlpha.add(alpha);
        sumBeta = sumBeta.add(beta);
        return { alpha, beta, branches: decodeBranches(sel.proof, `${field}.proof`) };
      });
      return {
        selections,
        sumAlpha,
        sumBeta,
        branches: decodeBranches(contest.proof, `contests[${i}].proof`),
      };
    }),
  };
  return decoded;
}

function checkShape(ctx: ElectionContext, body: BallotBody): void {
  if (body.contests.length !== ctx.shapes.length) {
    throw new SaylauError(
      "election/wrong_shape",
      `ballot has ${body.contests.length} contests, the election ${ctx.shapes.length}`,
    );
  }
  body.contests.forEach((contest, i) => {
    const shape = ctx.shapes[i]!;
    if (contest.selections.length !== shape.options) {
      throw new SaylauError(
        "election/wrong_shape",
        `contest ${i}: ${contest.selections.length} selections, the election has ${shape.options} options`,
        { contest: i },
      );
    }
    if (contest.proof.length !== shape.limit + 1) {
      throw new SaylauError(
        "election/wrong_limit",
        `contest ${i}: proof has ${contest.proof.length} branches, limit ${shape.limit} needs ${shape.limit + 1}`,
        { contest: i },
      );
    }
  });
}

function proofError(contest: number, option: number | null, what: string): SaylauError {
  const where =
    option === null ? `contest ${contest} sum proof` : `contest ${contest} option ${option} proof`;
  return new SaylauError("election/bad_proof", `${where}: ${what}`, {
    contest,
    option,
    proof: option === null ? "contest" : "selection",
  });
}

/**
 * Every Fiat-Shamir part of the ballot's proofs: each proof's challenges sum to the hash of
 * its statement (the contest statements hash the encoded sums of the selections).
 */
export function challengesHold(
  ctx: ElectionContext,
  credentialPublicKey: Uint8Array,
  body: BallotBody,
  decoded: DecodedBallot,
): boolean {
  return body.contests.every((contest, i) => {
    const dc = decoded.contests[i]!;
    const selectionsHold = contest.selections.every((sel, j) =>
      challengesSumToHash(
        selectionStatement(ctx, credentialPublicKey, i, j, sel.alpha, sel.beta),
        sel.proof,
        dc.selections[j]!.branches,
      ),
    );
    return (
      selectionsHold &&
      challengesSumToHash(
        contestStatementOf(ctx, credentialPublicKey, i, dc),
        contest.proof,
        dc.branches,
      )
    );
  });
}

function contestStatementOf(
  ctx: ElectionContext,
  credentialPublicKey: Uint8Array,
  contest: number,
  dc: DecodedBallot["contests"][number],
): RangeStatement {
  return contestStatement(
    ctx,
    credentialPublicKey,
    contest,
    encodePublicPoint(dc.sumAlpha),
    encodePublicPoint(dc.sumBeta),
  );
}

/**
 * Checks every proof of the ballot for this credential and throws `election/bad_proof` naming
 * the contest and option (null for the contest's sum proof). A valid ballot costs the hashes
 * and one MSM: its group equations are checked together as one random linear combination
 * (ballot-equations.ts; `rng` draws the weights). Only when something fails are the proofs
 * walked one equation at a time, in order, to name the first failing one.
 */
export function verifyBallot(
  ctx: ElectionContext,
  credentialPublicKey: Uint8Array,
  body: BallotBody,
  rng: Rng = systemRng,
): void {
  checkCredential(credentialPublicKey);
  const decoded = decodeBallotPoints(ctx, body);
  if (
    challengesHold(ctx, credentialPublicKey, body, decoded) &&
    combinationHolds(ctx, [termsOfBallot(decoded, weightSource(rng))])
  ) {
    return;
  }
  body.contests.forEach((contest, i) => {
    const dc = decoded.contests[i]!;
    contest.selections.forEach((sel, j) => {
      const ds = dc.selections[j]!;
      const statement = selectionStatement(ctx, credentialPublicKey, i, j, sel.alpha, sel.beta);
      if (!challengesSumToHash(statement, sel.proof, ds.branches)) {
        throw proofError(i, j, "challenges do not sum to the Fiat-Shamir hash");
      }
      const bad = failingBranch(ctx.bases, ds.alpha, ds.beta, ds.branches);
      if (bad >= 0) throw proofError(i, j, `branch ${bad} equation fails`);
    });
    if (
      !challengesSumToHash(
        contestStatementOf(ctx, credentialPublicKey, i, dc),
        contest.proof,
        dc.branches,
      )
    ) {
      throw proofError(i, null, "challenges do not sum to the Fiat-Shamir hash");
    }
    const bad = failingBranch(ctx.bases, dc.sumAlpha, dc.sumBeta, dc.branches);
    if (bad >= 0) throw proofError(i, null, `branch ${bad} equation fails`);
  });
  // A failed combination means some equation is false, which the walk above throws for.
  throw new SaylauError("election/bad_proof", "ballot proofs do not verify");
}
