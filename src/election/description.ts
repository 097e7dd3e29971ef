/**
 * The election description: what the ledger's manifest says about the cryptographic election
 * (contests and their limits, the trustees' Feldman commitments with Schnorr proofs, the
 * threshold, the joint key K). Encoded canonically with src/codec/schema.ts; points and
 * scalars are 32-byte canonical encodings, checked by `validateDescription`, which every
 * decoder and builder runs, so a description that decodes is a description that is sound.
 */
import {
  array,
  bytes,
  decodeWith,
  encodeWith,
  type Infer,
  struct,
  text,
  uint,
} from "../codec/schema.ts";
import { bytesEqual } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import {
  decodeNonIdentityPoint,
  decodeScalar,
  encodePoint,
  IDENTITY,
  type Point,
} from "./group.ts";
import { verifyCoefficientProof } from "./schnorr.ts";

export const DESCRIPTION_VERSION = 1;
export const MAX_CONTESTS = 256;
export const MAX_OPTIONS = 256;
export const MAX_TRUSTEES = 64;
export const MAX_LABEL = 256;

const point32 = bytes(32);
const scalar32 = bytes(32);

export const contestCodec = struct({
  label: text(MAX_LABEL),
  options: array(text(MAX_LABEL), MAX_OPTIONS, 1),
  /** Most options a voter may select; fewer (down to none) is an allowed undervote. */
  limit: uint(MAX_OPTIONS),
});
export type Contest = Infer<typeof contestCodec>;

export const schnorrProofCodec = struct({ commitment: point32, response: scalar32 });

export const trusteePublicCodec = struct({
  /** 1-based; the trustee's x-coordinate in Shamir sharing. */
  index: uint(MAX_TRUSTEES),
  /** C_ij = a_ij*G for j = 0..t-1; C_i0 is also the trustee's share-exchange public key. */
  commitments: array(point32, MAX_TRUSTEES, 1),
  /** Schnorr proof of knowledge of a_ij, one per commitment. */
  proofs: array(schnorrProofCodec, MAX_TRUSTEES, 1),
});
export type TrusteePublic = Infer<typeof trusteePublicCodec>;

export const electionDescriptionCodec = struct({
  version: uint(DESCRIPTION_VERSION),
  /** 32 bytes chosen by the authority before the ceremony; bound into every ceremony proof. */
  ceremonyId: bytes(32),
  contests: array(contestCodec, MAX_CONTESTS, 1),
  threshold: uint(MAX_TRUSTEES),
  trustees: array(trusteePublicCodec, MAX_TRUSTEES, 1),
  jointKey: point32,
});
export type ElectionDescription = Infer<typeof electionDescriptionCodec>;

/** What validation learns on the way, so callers need not decode the points again. */
export interface ValidatedDescription {
  readonly description: ElectionDescription;
  readonly jointKey: Point;
  /** commitments[i][j] = C_(i+1),j */
  readonly commitments: readonly (readonly Point[])[];
}

export function checkContest(contest: Contest, field: string): void {
  if (contest.limit < 1 || contest.limit > contest.options.length) {
    throw new SaylauError(
      "election/wrong_limit",
      `${field}: limit ${contest.limit} must be between 1 and the ${contest.options.length} options`,
      { field },
    );
  }
}

/**
 * Checks one trustee's published commitments and proofs; returns the decoded commitments.
 * `expectedIndex` pins the trustee's position, so two trustees cannot share an x-coordinate.
 */
export function checkTrusteePublic(
  ceremonyId: Uint8Array,
  threshold: number,
  trustee: TrusteePublic,
  expectedIndex: number,
  field: string,
): Point[] {
  trusteePublicCodec.check(trustee, field);
  if (trustee.index !== expectedIndex) {
    throw new SaylauError(
      "election/bad_trustee",
      `${field}: trustee index ${trustee.index}, expected ${expectedIndex}`,
      { field },
    );
  }
  if (trustee.commitments.length !== threshold || trustee.proofs.length !== threshold) {
    throw new SaylauError(
      "election/bad_trustee",
      `${field}: a ${threshold}-of-n trustee publishes exactly ${threshold} commitments and proofs`,
      { field },
    );
  }
  return trustee.commitments.map((bytesC, j) => {
    const commitment = decodeNonIdentityPoint(bytesC, `${field}.commitments[${j}]`);
    const proof = trustee.proofs[j]!;
    decodeScalar(proof.response, `${field}.proofs[${j}].response`);
    const ok = verifyCoefficientProof(
      ceremonyId,
      trustee.index,
      j,
      commitment,
      bytesC,
      proof,
      `${field}.proofs[${j}]`,
    );
    if (!ok) {
      throw new SaylauError(
        "election/bad_proof",
        `${field}.proofs[${j}]: Schnorr proof of the coefficient does not verify`,
        { field: `${field}.proofs[${j}]`, trustee: trustee.index, coefficient: j },
      );
    }
    return commitment;
  });
}

export function jointKeyOf(commitments: readonly (readonly Point[])[]): Point {
  let K = IDENTITY;
  for (const c of commitments) K = K.add(c[0]!);
  return K;
}

export function validateDescription(description: ElectionDescription): ValidatedDescription {
  electionDescriptionCodec.check(description, "");
  if (description.version !== DESCRIPTION_VERSION) {
    throw new SaylauError("election/bad_version", `unsupported description version`, {
      version: description.version,
    });
  }
  description.contests.forEach((c, i) => {
    checkContest(c, `contests[${i}]`);
  });
  const n = description.trustees.length;
  if (description.threshold < 1 || description.threshold > n) {
    throw new SaylauError(
      "election/bad_threshold",
      `threshold ${description.threshold} must be between 1 and ${n} trustees`,
    );
  }
  const commitments = description.trustees.map((t, i) =>
    checkTrusteePublic(description.ceremonyId, description.threshold, t, i + 1, `trustees[${i}]`),
  );
  const jointKey = decodeNonIdentityPoint(description.jointKey, "jointKey");
  const expected = jointKeyOf(commitments);
  if (!expected.equals(jointKey) || !bytesEqual(encodePoint(expected), description.jointKey)) {
    throw new SaylauError(
      "election/bad_joint_key",
      "jointKey is not the sum of the trustees' constant-term commitments",
    );
  }
  return { description, jointKey, commitments };
}

export function encodeElectionDescription(description: ElectionDescription): Uint8Array {
  validateDescription(description);
  return encodeWith(electionDescriptionCodec, description);
}

export function decodeElectionDescription(encoded: Uint8Array): ElectionDescription {
  const description = decodeWith(electionDescriptionCodec, encoded);
  validateDescription(description);
  return description;
}
