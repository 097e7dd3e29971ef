/**
 * Key ceremony without a dealer (ElectionGuard 2.1 §3.2, Pedersen-style DKG with Feldman
 * commitments). Pure functions over byte messages; the CLI moves the files.
 *
 *   1. `startKeyCeremony`: trustee i picks a random polynomial of degree t-1 and publishes
 *      commitments C_ij = a_ij*G with Schnorr proofs (a `TrusteePublic`).
 *   2. `encryptShare`: for every other trustee l, P_i(l) encrypted to l (share-encryption.ts).
 *   3. `openShare`: trustee l decrypts and checks P_i(l)*G = sum_j l^j*C_ij. On failure it
 *      gets a `Complaint` anyone can check with `verifyComplaint`.
 *   4. `finishKeyCeremony`: z_l = sum_i P_i(l), the trustee's secret share.
 *   5. `buildElectionDescription`: anyone assembles the description; K = sum_i C_i0.
 *
 * Authenticity of who sent which message is the transport's job (the CLI signs the files with
 * the trustee's ed25519 key); these functions check everything else.
 */
import { array, bytes, decodeWith, encodeWith, type Infer, struct, uint } from "../codec/schema.ts";
import { bytesEqual, concatBytes } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import {
  type Contest,
  checkTrusteePublic,
  DESCRIPTION_VERSION,
  type ElectionDescription,
  jointKeyOf,
  MAX_TRUSTEES,
  type TrusteePublic,
  validateDescription,
} from "./description.ts";
import { type DleqProofBytes, proveDleq, verifyDleq } from "./dleq.ts";
import {
  decodeNonIdentityPoint,
  decodePoint,
  decodeScalar,
  encodePoint,
  G,
  mod,
  mulSecret,
  type Point,
  scalarToBytes,
} from "./group.ts";
import { DST, u32be } from "./hash-to-scalar.ts";
import { evaluateCommitments, evaluatePolynomial } from "./polynomial.ts";
import { type Rng, randomScalar, systemRng } from "./rng.ts";
import { proveCoefficient } from "./schnorr.ts";
import { deriveShareKeys, macMatches, shareMac, xor32 } from "./share-encryption.ts";

const point32 = bytes(32);
const scalar32 = bytes(32);

export interface CeremonyParameters {
  readonly ceremonyId: Uint8Array;
  readonly threshold: number;
  readonly trusteeCount: number;
}

/** Trustee i's secret polynomial: kept by the trustee until the ceremony ends. */
export const trusteePolynomialCodec = struct({
  ceremonyId: bytes(32),
  index: uint(MAX_TRUSTEES),
  threshold: uint(MAX_TRUSTEES),
  trusteeCount: uint(MAX_TRUSTEES),
  coefficients: array(scalar32, MAX_TRUSTEES, 1),
});
export type TrusteePolynomial = Infer<typeof trusteePolynomialCodec>;

export const encryptedShareCodec = struct({
  ceremonyId: bytes(32),
  sender: uint(MAX_TRUSTEES),
  recipient: uint(MAX_TRUSTEES),
  ephemeral: point32,
  ciphertext: bytes(32),
  mac: bytes(32),
});
export type EncryptedShare = Infer<typeof encryptedShareCodec>;

export const dleqProofCodec = struct({ a: point32, b: point32, v: scalar32 });

export const complaintCodec = struct({
  share: encryptedShareCodec,
  /** S = a_l0*E, revealed so anyone can redo the decryption. */
  sharedSecret: point32,
  /** Chaum-Pedersen: log_G(K_l) = log_E(S). */
  proof: dleqProofCodec,
});
export type Complaint = Infer<typeof complaintCodec>;

/** The trustee's long-term secret after the ceremony: z_l = sum_i P_i(l). */
export const trusteeSecretCodec = struct({
  ceremonyId: bytes(32),
  index: uint(MAX_TRUSTEES),
  share: scalar32,
});
export type TrusteeSecret = Infer<typeof trusteeSecretCodec>;

function checkParameters(params: CeremonyParameters): void {
  const { ceremonyId, threshold, trusteeCount } = params;
  if (!(ceremonyId instanceof Uint8Array) || ceremonyId.length !== 32) {
    throw new SaylauError("election/bad_ceremony", "ceremonyId is 32 bytes");
  }
  if (!Number.isInteger(trusteeCount) || trusteeCount < 1 || trusteeCount > MAX_TRUSTEES) {
    throw new SaylauError("election/bad_threshold", `1..${MAX_TRUSTEES} trustees`);
  }
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > trusteeCount) {
    throw new SaylauError(
      "election/bad_threshold",
      `threshold ${threshold} must be between 1 and ${trusteeCount}`,
    );
  }
}

function checkIndex(index: number, trusteeCount: number, what: string): void {
  if (!Number.isInteger(index) || index < 1 || index > trusteeCount) {
    throw new SaylauError("election/unknown_trustee", `${what} ${index} is not a trustee`, {
      index,
    });
  }
}

export function startKeyCeremony(
  params: CeremonyParameters,
  index: number,
  rng: Rng = systemRng,
): { polynomial: TrusteePolynomial; public: TrusteePublic } {
  checkParameters(params);
  checkIndex(index, params.trusteeCount, "trustee");
  const coefficients = Array.from({ length: params.threshold }, () => randomScalar(rng));
  const commitments = coefficients.map((a) => encodePoint(mulSecret(G, a)));
  const proofs = coefficients.map((a, j) =>
    proveCoefficient(params.ceremonyId, index, j, a, commitments[j]!, rng),
  );
  return {
    polynomial: {
      ceremonyId: Uint8Array.from(params.ceremonyId),
      index,
      threshold: params.threshold,
      trusteeCount: params.trusteeCount,
      coefficients: coefficients.map(scalarToBytes),
    },
    public: { index, commitments, proofs },
  };
}

/** Checks a trustee's published commitments and Schnorr proofs (throws a typed error). */
export function verifyTrusteePublic(params: CeremonyParameters, trustee: TrusteePublic): void {
  checkParameters(params);
  checkIndex(trustee.index, params.trusteeCount, "trustee");
  checkTrusteePublic(params.ceremonyId, params.threshold, trustee, trustee.index, "trustee");
}

function polynomialScalars(polynomial: TrusteePolynomial): bigint[] {
  trusteePolynomialCodec.check(polynomial, "polynomial");
  return polynomial.coefficients.map((c, j) => decodeScalar(c, `coefficients[${j}]`));
}

function recipientKeyOf(trustee: TrusteePublic): { point: Point; bytes: Uint8Array } {
  const bytesK = trustee.commitments[0]!;
  return { point: decodeNonIdentityPoint(bytesK, "commitments[0]"), bytes: bytesK };
}

export function encryptShare(
  polynomial: TrusteePolynomial,
  recipient: TrusteePublic,
  rng: Rng = systemRng,
): EncryptedShare {
  const coefficients = polynomialScalars(polynomial);
  checkIndex(recipient.index, polynomial.trusteeCount, "recipient");
  if (recipient.index === polynomial.index) {
    throw new SaylauError("election/unknown_trustee", "a trustee keeps its own share");
  }
  const value = evaluatePolynomial(coefficients, recipient.index);
  const key = recipientKeyOf(recipient);
  const xi = randomScalar(rng);
  const ephemeral = encodePoint(mulSecret(G, xi));
  const sharedSecret = encodePoint(mulSecret(key.point, xi));
  const keys = deriveShareKeys(
    polynomial.ceremonyId,
    polynomial.index,
    recipient.index,
    key.bytes,
    ephemeral,
    sharedSecret,
  );
  const ciphertext = xor32(scalarToBytes(value), keys.pad);
  const mac = shareMac(
    keys.macKey,
    polynomial.ceremonyId,
    polynomial.index,
    recipient.index,
    ephemeral,
    ciphertext,
  );
  return {
    ceremonyId: Uint8Array.from(polynomial.ceremonyId),
    sender: polynomial.index,
    recipient: recipient.index,
    ephemeral,
    ciphertext,
    mac,
  };
}

export type ShareFault = "mac" | "not_a_scalar" | "commitment_mismatch";

/**
 * Decrypts with the shared secret S and checks the share against the sender's commitments.
 * Everything here is public once S is known, so a complaint verifier runs the same function.
 */
function judgeShare(
  share: EncryptedShare,
  sender: TrusteePublic,
  recipient: TrusteePublic,
  sharedSecret: Uint8Array,
): { fault: ShareFault } | { value: bigint } {
  const keys = deriveShareKeys(
    share.ceremonyId,
    share.sender,
    share.recipient,
    recipient.commitments[0]!,
    share.ephemeral,
    sharedSecret,
  );
  const mac = shareMac(
    keys.macKey,
    share.ceremonyId,
    share.sender,
    share.recipient,
    share.ephemeral,
    share.ciphertext,
  );
  if (!macMatches(mac, share.mac)) return { fault: "mac" };
  let value: bigint;
  try {
    value = decodeScalar(xor32(share.ciphertext, keys.pad), "share");
  } catch {
    return { fault: "not_a_scalar" };
  }
  const commitments = sender.commitments.map((c, j) => decodePoint(c, `commitments[${j}]`));
  if (!mulSecret(G, value).equals(evaluateCommitments(commitments, share.recipient))) {
    return { fault: "commitment_mismatch" };
  }
  return { value };
}

function checkShareAddressing(
  share: EncryptedShare,
  sender: TrusteePublic,
  recipient: TrusteePublic,
  ceremonyId: Uint8Array,
): void {
  encryptedShareCodec.check(share, "share");
  if (
    share.sender !== sender.index ||
    share.recipient !== recipient.index ||
    share.sender === share.recipient ||
    !bytesEqual(share.ceremonyId, ceremonyId)
  ) {
    throw new SaylauError(
      "election/bad_share",
      "share is addressed to another ceremony, sender or recipient",
      { sender: share.sender, recipient: share.recipient },
    );
  }
  decodePoint(share.ephemeral, "share.ephemeral");
}

function complaintMessage(share: EncryptedShare, recipientKey: Uint8Array): Uint8Array {
  return concatBytes(
    share.ceremonyId,
    u32be(share.sender),
    u32be(share.recipient),
    recipientKey,
    share.ephemeral,
  );
}

export type OpenedShare =
  | { readonly ok: true; readonly sender: number; readonly value: bigint }
  | { readonly ok: false; readonly fault: ShareFault; readonly complaint: Complaint };

/** Recipient side of step 3: the share, or a publishable complaint against the sender. */
export function openShare(
  polynomial: TrusteePolynomial,
  sender: TrusteePublic,
  recipient: TrusteePublic,
  share: EncryptedShare,
  rng: Rng = systemRng,
): OpenedShare {
  const coefficients = polynomialScalars(polynomial);
  if (recipient.index !== polynomial.index) {
    throw new SaylauError("election/bad_share", "recipient is not the holder of this polynomial");
  }
  checkShareAddressing(share, sender, recipient, polynomial.ceremonyId);
  const secret = coefficients[0]!;
  const ephemeral = decodePoint(share.ephemeral, "share.ephemeral");
  const sharedSecretPoint = mulSecret(ephemeral, secret);
  const sharedSecret = encodePoint(sharedSecretPoint);
  const verdict = judgeShare(share, sender, recipient, sharedSecret);
  if ("value" in verdict) return { ok: true, sender: share.sender, value: verdict.value };
  const proof: DleqProofBytes = proveDleq(
    DST.complaintProof,
    complaintMessage(share, recipient.commitments[0]!),
    G,
    ephemeral,
    secret,
    rng,
  );
  return {
    ok: false,
    fault: verdict.fault,
    complaint: { share, sharedSecret, proof },
  };
}

/**
 * Public check of a complaint. Returns the sender's fault when the complaint is justified;
 * throws `election/bad_complaint` when the complainer lied (wrong S) or the share was fine.
 */
export function verifyComplaint(
  ceremonyId: Uint8Array,
  sender: TrusteePublic,
  recipient: TrusteePublic,
  complaint: Complaint,
): ShareFault {
  complaintCodec.check(complaint, "complaint");
  const { share } = complaint;
  checkShareAddressing(share, sender, recipient, ceremonyId);
  const recipientKey = recipientKeyOf(recipient);
  const ephemeral = decodePoint(share.ephemeral, "share.ephemeral");
  const sharedSecret = decodePoint(complaint.sharedSecret, "sharedSecret");
  const honest = verifyDleq(
    DST.complaintProof,
    complaintMessage(share, recipientKey.bytes),
    G,
    recipientKey.point,
    ephemeral,
    sharedSecret,
    complaint.proof,
    "complaint.proof",
  );
  if (!honest) {
    throw new SaylauError(
      "election/bad_complaint",
      "complaint's shared secret is not proven to be the recipient's decryption",
    );
  }
  const verdict = judgeShare(share, sender, recipient, complaint.sharedSecret);
  if ("value" in verdict) {
    throw new SaylauError("election/bad_complaint", "the share in the complaint is valid");
  }
  return verdict.fault;
}

/** Step 4: z_l = P_l(l) + sum of the opened shares from every other trustee. */
export function finishKeyCeremony(
  polynomial: TrusteePolynomial,
  openedShares: readonly { sender: number; value: bigint }[],
): TrusteeSecret {
  const coefficients = polynomialScalars(polynomial);
  const senders = new Set(openedShares.map((s) => s.sender));
  const expected = polynomial.trusteeCount - 1;
  if (
    senders.size !== openedShares.length ||
    openedShares.length !== expected ||
    senders.has(polynomial.index) ||
    [...senders].some((s) => !Number.isInteger(s) || s < 1 || s > polynomial.trusteeCount)
  ) {
    throw new SaylauError(
      "election/bad_share",
      `need exactly one share from each of the ${expected} other trustees`,
    );
  }
  let z = evaluatePolynomial(coefficients, polynomial.index);
  for (const s of openedShares) z = mod(z + s.value);
  return {
    ceremonyId: Uint8Array.from(polynomial.ceremonyId),
    index: polynomial.index,
    share: scalarToBytes(z),
  };
}

export interface ElectionDescriptionInput {
  readonly ceremonyId: Uint8Array;
  readonly threshold: number;
  readonly contests: readonly Contest[];
  readonly trustees: readonly TrusteePublic[];
}

/** Step 5: anyone can assemble (and re-check) the description from the public messages. */
export function buildElectionDescription(input: ElectionDescriptionInput): ElectionDescription {
  const trustees = [...input.trustees].sort((a, b) => a.index - b.index);
  const commitments = trustees.map((t, i) =>
    checkTrusteePublic(input.ceremonyId, input.threshold, t, i + 1, `trustees[${i}]`),
  );
  const description: ElectionDescription = {
    version: DESCRIPTION_VERSION,
    ceremonyId: Uint8Array.from(input.ceremonyId),
    contests: input.contests.map((c) => ({
      label: c.label,
      options: [...c.options],
      limit: c.limit,
    })),
    threshold: input.threshold,
    trustees,
    jointKey: encodePoint(jointKeyOf(commitments)),
  };
  validateDescription(description);
  return description;
}

export function encodeTrusteeSecret(secret: TrusteeSecret): Uint8Array {
  decodeScalar(secret.share, "share");
  return encodeWith(trusteeSecretCodec, secret);
}
export function decodeTrusteeSecret(encoded: Uint8Array): TrusteeSecret {
  const secret = decodeWith(trusteeSecretCodec, encoded);
  decodeScalar(secret.share, "share");
  return secret;
}
export function encodeTrusteePolynomial(p: TrusteePolynomial): Uint8Array {
  polynomialScalars(p);
  return encodeWith(trusteePolynomialCodec, p);
}
export function decodeTrusteePolynomial(encoded: Uint8Array): TrusteePolynomial {
  const p = decodeWith(trusteePolynomialCodec, encoded);
  polynomialScalars(p);
  return p;
}
export function encodeEncryptedShare(share: EncryptedShare): Uint8Array {
  return encodeWith(encryptedShareCodec, share);
}
export function decodeEncryptedShare(encoded: Uint8Array): EncryptedShare {
  const share = decodeWith(encryptedShareCodec, encoded);
  decodePoint(share.ephemeral, "ephemeral");
  return share;
}
export function encodeComplaint(complaint: Complaint): Uint8Array {
  return encodeWith(complaintCodec, complaint);
}
export function decodeComplaint(encoded: Uint8Array): Complaint {
  return decodeWith(complaintCodec, encoded);
}
