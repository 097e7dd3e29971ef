/**
 * Chaum-Pedersen proof that two points share a discrete logarithm: knowing z with
 * X = z*G and Y = z*H. Commitments a = u*G, b = u*H; c = hash_to_field(DST, message || a || b);
 * response v = u + c*z; valid when v*G = a + c*X and v*H = b + c*Y. Used for partial
 * decryptions (X = trustee verification key, H = tally alpha, Y = decryption share) and for
 * key-ceremony complaints (X = recipient's public key, H = the share's ephemeral point).
 */
import { concatBytes } from "../crypto/bytes.ts";
import {
  decodePoint,
  decodeScalar,
  encodePoint,
  mod,
  msmPublic,
  mulSecret,
  negate,
  type Point,
  scalarToBytes,
} from "./group.ts";
import { type ChallengeDst, hashToScalar } from "./hash-to-scalar.ts";
import { type Rng, randomScalar } from "./rng.ts";

export interface DleqProofBytes {
  readonly a: Uint8Array;
  readonly b: Uint8Array;
  readonly v: Uint8Array;
}

export function proveDleq(
  dst: ChallengeDst,
  message: Uint8Array,
  base1: Point,
  base2: Point,
  secret: bigint,
  rng: Rng,
): DleqProofBytes {
  const u = randomScalar(rng);
  const a = encodePoint(mulSecret(base1, u));
  const b = encodePoint(mulSecret(base2, u));
  const c = hashToScalar(dst, concatBytes(message, a, b));
  return { a, b, v: scalarToBytes(mod(u + c * secret)) };
}

export function verifyDleq(
  dst: ChallengeDst,
  message: Uint8Array,
  base1: Point,
  public1: Point,
  base2: Point,
  public2: Point,
  proof: DleqProofBytes,
  field: string,
): boolean {
  const a = decodePoint(proof.a, `${field}.a`);
  const b = decodePoint(proof.b, `${field}.b`);
  const v = decodeScalar(proof.v, `${field}.v`);
  const c = hashToScalar(dst, concatBytes(message, proof.a, proof.b));
  // v*B1 = a + c*P1 and v*B2 = b + c*P2, as v*B - c*P = commitment.
  if (!msmPublic([base1, public1], [v, negate(c)]).equals(a)) return false;
  return msmPublic([base2, public2], [v, negate(c)]).equals(b);
}
