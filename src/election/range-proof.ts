/**
 * Ranged disjunctive Chaum-Pedersen proof (ElectionGuard 2.1 §3.3.5): an exponential ElGamal
 * ciphertext (alpha, beta) = (r*G, m*G + r*K) encrypts some m in 0..R. One branch per
 * possible value j carries a commitment pair (a_j, b_j), a challenge c_j and a response v_j:
 *
 *   v_j*G = a_j + c_j*alpha        v_j*K = b_j + c_j*(beta - j*G)        sum c_j = c
 *
 * where c = hash_to_field(DST, statement || alpha || beta || a_0 || b_0 || ... || a_R || b_R).
 * The branch j = m is proven honestly (v_m = u + c_m*r); every other branch is simulated.
 * R = 1 is the per-selection 0/1 proof; R = limit is the per-contest proof on the sum.
 *
 * The commitments travel with the proof (not only challenges and responses) so the equations
 * above can be folded into one random linear combination across many ballots (batch.ts).
 */
import { concatBytes } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import {
  decodePoint,
  decodeScalar,
  encodePoint,
  mod,
  msmPublic,
  mulPublic,
  mulSecret,
  negate,
  type Point,
  scalarToBytes,
  smallMultipleOfG,
} from "./group.ts";
import { type ChallengeDst, hashToScalar } from "./hash-to-scalar.ts";
import { type Rng, randomScalar } from "./rng.ts";

/** One branch of a range proof, as bytes on the wire. */
export interface ProofBranchBytes {
  readonly a: Uint8Array;
  readonly b: Uint8Array;
  readonly c: Uint8Array;
  readonly v: Uint8Array;
}

export interface DecodedBranch {
  readonly a: Point;
  readonly b: Point;
  readonly c: bigint;
  readonly v: bigint;
}

/** The fixed bases a proof is checked against; tables precomputed by prepareElection. */
export interface FixedBases {
  readonly G: Point;
  readonly K: Point;
}

export interface RangeStatement {
  readonly dst: ChallengeDst;
  /** Everything the challenge binds besides the ciphertext and commitments. */
  readonly context: Uint8Array;
  readonly alphaBytes: Uint8Array;
  readonly betaBytes: Uint8Array;
  readonly limit: number;
}

export function rangeChallenge(
  statement: RangeStatement,
  branches: readonly { a: Uint8Array; b: Uint8Array }[],
): bigint {
  const parts: Uint8Array[] = [statement.context, statement.alphaBytes, statement.betaBytes];
  for (const br of branches) parts.push(br.a, br.b);
  return hashToScalar(statement.dst, concatBytes(...parts));
}

export function proveRange(
  bases: FixedBases,
  statement: RangeStatement,
  alpha: Point,
  beta: Point,
  nonce: bigint,
  value: number,
  rng: Rng,
): ProofBranchBytes[] {
  const { limit } = statement;
  if (!Number.isInteger(value) || value < 0 || value > limit) {
    throw new SaylauError("election/wrong_limit", `value ${value} is outside 0..${limit}`, {
      value,
      limit,
    });
  }
  const commitments: { a: Uint8Array; b: Uint8Array }[] = [];
  const simulated: { c: bigint; v: bigint }[] = [];
  const u = randomScalar(rng);
  for (let j = 0; j <= limit; j++) {
    if (j === value) {
      commitments.push({
        a: encodePoint(mulSecret(bases.G, u)),
        b: encodePoint(mulSecret(bases.K, u)),
      });
      simulated.push({ c: 0n, v: 0n });
    } else {
      const c = randomScalar(rng);
      const v = randomScalar(rng);
      // a_j = v*G - c*alpha, b_j = v*K - c*(beta - j*G): the verification equations solved for
      // the commitments, which is what makes the branch indistinguishable from a real one.
      const a = bases.G.multiply(v).subtract(mulPublic(alpha, c));
      const b = bases.K.multiply(v).subtract(mulPublic(beta.subtract(smallMultipleOfG(j)), c));
      commitments.push({ a: encodePoint(a), b: encodePoint(b) });
      simulated.push({ c, v });
    }
  }
  const total = rangeChallenge(statement, commitments);
  let others = 0n;
  for (let j = 0; j <= limit; j++) if (j !== value) others += simulated[j]!.c;
  const cReal = mod(total - others);
  const vReal = mod(u + cReal * nonce);
  return commitments.map((cm, j) => ({
    a: cm.a,
    b: cm.b,
    c: scalarToBytes(j === value ? cReal : simulated[j]!.c),
    v: scalarToBytes(j === value ? vReal : simulated[j]!.v),
  }));
}

export function decodeBranches(
  branches: readonly ProofBranchBytes[],
  field: string,
): DecodedBranch[] {
  return branches.map((br, j) => ({
    a: decodePoint(br.a, `${field}[${j}].a`),
    b: decodePoint(br.b, `${field}[${j}].b`),
    c: decodeScalar(br.c, `${field}[${j}].c`),
    v: decodeScalar(br.v, `${field}[${j}].v`),
  }));
}

/** The Fiat-Shamir part: sum of branch challenges equals the hash of the statement. */
export function challengesSumToHash(
  statement: RangeStatement,
  branches: readonly ProofBranchBytes[],
  decoded: readonly DecodedBranch[],
): boolean {
  let sum = 0n;
  for (const br of decoded) sum += br.c;
  return mod(sum) === rangeChallenge(statement, branches);
}

/** The group equations of every branch, checked one by one; returns the failing branch or -1. */
export function failingBranch(
  bases: FixedBases,
  alpha: Point,
  beta: Point,
  decoded: readonly DecodedBranch[],
): number {
  for (let j = 0; j < decoded.length; j++) {
    const { a, b, c, v } = decoded[j]!;
    const lhsG = msmPublic([bases.G, alpha], [v, negate(c)]);
    if (!lhsG.equals(a)) return j;
    const shifted = j === 0 ? beta : beta.subtract(smallMultipleOfG(j));
    const lhsK = msmPublic([bases.K, shifted], [v, negate(c)]);
    if (!lhsK.equals(b)) return j;
  }
  return -1;
}
