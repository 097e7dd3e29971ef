/**
 * Fiat-Shamir challenges: RFC 9380 hash_to_field with p = L (the ristretto255 group order),
 * m = 1, k = 128, expand_message_xmd with SHA-512. Each challenge takes 48 uniform bytes
 * (ceil((253 + 128) / 8)), read big-endian, reduced mod L: statistically 2^-128 close to
 * uniform, unlike reducing a 32-byte hash, whose bias is large enough to matter.
 *
 * Every proof type has its own DST, and its message is a fixed-layout concatenation of
 * fixed-size fields (see docs/ELECTION-CRYPTO.md), so no two statements hash alike.
 *
 * noble's hash_to_field and expand_message_xmd are the rule; the SHA-512 under them is
 * src/crypto/hash.ts's, node:crypto in Node (about 4x faster for a challenge) and noble's in a
 * browser: the same function either way.
 */
import { hash_to_field } from "@noble/curves/abstract/hash-to-curve.js";
import { concatBytes } from "../crypto/bytes.ts";
import { sha512 } from "../crypto/hash.ts";
import { ORDER } from "./group.ts";

export const DST = {
  coefficientProof: "saylau/v1/election/coefficient-proof",
  selectionProof: "saylau/v1/election/selection-proof",
  contestProof: "saylau/v1/election/contest-proof",
  decryptionProof: "saylau/v1/election/decryption-proof",
  complaintProof: "saylau/v1/election/complaint-proof",
  shareKey: "saylau/v1/election/share-key",
} as const;
export type ChallengeDst = (typeof DST)[keyof typeof DST];

export function hashToScalar(dst: string, message: Uint8Array): bigint {
  const [[scalar]] = hash_to_field(message, 1, {
    DST: dst,
    p: ORDER,
    m: 1,
    k: 128,
    expand: "xmd",
    hash: sha512,
  }) as [[bigint]];
  return scalar;
}

/** 4-byte big-endian unsigned integer: indices in challenge messages. */
export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export function challenge(dst: ChallengeDst, ...parts: Uint8Array[]): bigint {
  return hashToScalar(dst, concatBytes(...parts));
}
