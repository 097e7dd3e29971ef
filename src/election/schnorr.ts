/**
 * Schnorr proof of knowledge of the secret behind a Feldman commitment C = a*G
 * (ElectionGuard 2.1 §3.2.2): commitment h = u*G, challenge c = hash_to_field(DST, message),
 * response v = u + c*a; valid when v*G = h + c*C. The commitment h is kept (not only c) so
 * many proofs can be checked together.
 */
import { concatBytes } from "../crypto/bytes.ts";
import {
  decodePoint,
  decodeScalar,
  encodePoint,
  G,
  mod,
  msmPublic,
  mulSecret,
  negate,
  type Point,
  scalarToBytes,
} from "./group.ts";
import { DST, hashToScalar, u32be } from "./hash-to-scalar.ts";
import { type Rng, randomScalar } from "./rng.ts";

export interface SchnorrProofBytes {
  readonly commitment: Uint8Array;
  readonly response: Uint8Array;
}

/**
 * Challenge message: ceremonyId (32) || u32be(trustee index) || u32be(coefficient index)
 * || C (32) || h (32).
 */
function coefficientChallenge(
  ceremonyId: Uint8Array,
  trustee: number,
  coefficient: number,
  commitmentToSecret: Uint8Array,
  h: Uint8Array,
): bigint {
  return hashToScalar(
    DST.coefficientProof,
    concatBytes(ceremonyId, u32be(trustee), u32be(coefficient), commitmentToSecret, h),
  );
}

export function proveCoefficient(
  ceremonyId: Uint8Array,
  trustee: number,
  coefficient: number,
  secret: bigint,
  commitmentToSecret: Uint8Array,
  rng: Rng,
): SchnorrProofBytes {
  const u = randomScalar(rng);
  const h = encodePoint(mulSecret(G, u));
  const c = coefficientChallenge(ceremonyId, trustee, coefficient, commitmentToSecret, h);
  return { commitment: h, response: scalarToBytes(mod(u + c * secret)) };
}

export function verifyCoefficientProof(
  ceremonyId: Uint8Array,
  trustee: number,
  coefficient: number,
  commitmentToSecret: Point,
  commitmentToSecretBytes: Uint8Array,
  proof: SchnorrProofBytes,
  field: string,
): boolean {
  const h = decodePoint(proof.commitment, `${field}.commitment`);
  const v = decodeScalar(proof.response, `${field}.response`);
  const c = coefficientChallenge(
    ceremonyId,
    trustee,
    coefficient,
    commitmentToSecretBytes,
    proof.commitment,
  );
  // v*G = h + c*C, as v*G - c*C = h.
  return msmPublic([G, commitmentToSecret], [v, negate(c)]).equals(h);
}
