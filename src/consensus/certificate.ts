/**
 * Commit certificates: the q COMMIT signatures that make a block final to anyone holding only
 * the manifest (validator keys and election id). verifyCertificate is pure and standalone so
 * receipts, auditors and catch-up all check finality with the same code.
 */
import { array, bytes, type Codec, decodeWith, encodeWith, struct, uint } from "../codec/schema.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { SIGNATURE_LENGTH } from "../crypto/ed25519-rule.ts";
import { HASH_LENGTH } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";
import { MAX_HEIGHT, MAX_VIEW, type ValidatorSignature } from "./messages.ts";
import { quorumSize } from "./quorum.ts";
import type { VerifyFn } from "./signing.ts";
import { commitStatement, consensusStatement } from "./statements.ts";

export interface CommitCertificate {
  readonly height: number;
  readonly view: number;
  readonly blockHash: Uint8Array;
  /** Sorted by validator index, distinct, at least q. */
  readonly signatures: readonly ValidatorSignature[];
}

/** The most validators any Saylau election may have; bounds decoding before N is known. */
export const MAX_VALIDATORS = 1024;

export function certificateCodec(validatorCount = MAX_VALIDATORS): Codec<CommitCertificate> {
  return struct({
    height: uint(MAX_HEIGHT),
    view: uint(MAX_VIEW),
    blockHash: bytes(HASH_LENGTH),
    signatures: array(
      struct({ validator: uint(validatorCount - 1), sig: bytes(SIGNATURE_LENGTH) }),
      validatorCount,
      1,
    ),
  });
}

const DEFAULT_CERTIFICATE_CODEC = certificateCodec();

export function encodeCertificate(certificate: CommitCertificate): Uint8Array {
  return encodeWith(DEFAULT_CERTIFICATE_CODEC, certificate);
}

export function decodeCertificate(encoded: Uint8Array): CommitCertificate {
  return decodeWith(DEFAULT_CERTIFICATE_CODEC, encoded, 64 + MAX_VALIDATORS * 80);
}

/** Stable codes verifyCertificate throws. */
export type CertificateErrorCode =
  | "consensus/cert_too_few_signers"
  | "consensus/cert_duplicate_signer"
  | "consensus/cert_unsorted"
  | "consensus/cert_unknown_validator"
  | "consensus/cert_bad_signature";

/**
 * Throws a SaylauError with one of CertificateErrorCode unless `certificate` carries valid
 * COMMIT signatures of at least q = ceil((N+f+1)/2) distinct validators of `validators` for
 * this election. `verify` defaults to the node's ed25519 rule; a browser passes verifyPure.
 */
export function verifyCertificate(
  electionId: Uint8Array,
  validators: readonly Uint8Array[],
  certificate: CommitCertificate,
  verify: VerifyFn = verifySignature,
  quorum: number = quorumSize(validators.length),
): void {
  const statement = commitStatement(
    electionId,
    certificate.height,
    certificate.view,
    certificate.blockHash,
  );
  checkSignatureSet(validators, certificate.signatures, statement, verify, quorum);
}

/** Like verifyCertificate, but returns the failure instead of throwing it (null: valid). */
export function certificateProblem(
  electionId: Uint8Array,
  validators: readonly Uint8Array[],
  certificate: CommitCertificate,
  verify: VerifyFn = verifySignature,
  quorum: number = quorumSize(validators.length),
): SaylauError | null {
  try {
    verifyCertificate(electionId, validators, certificate, verify, quorum);
    return null;
  } catch (err) {
    if (err instanceof SaylauError) return err;
    throw err;
  }
}

/**
 * Checks a prepared certificate: q distinct PREPARE signatures on (height, view, blockHash).
 * Same rules and error codes as a commit certificate.
 */
export function verifyPreparedSignatures(
  electionId: Uint8Array,
  validators: readonly Uint8Array[],
  height: number,
  view: number,
  blockHash: Uint8Array,
  prepares: readonly ValidatorSignature[],
  verify: VerifyFn,
  quorum: number,
): void {
  const statement = consensusStatement(electionId, "prepare", height, view, blockHash, null);
  checkSignatureSet(validators, prepares, statement, verify, quorum);
}

function checkSignatureSet(
  validators: readonly Uint8Array[],
  signatures: readonly ValidatorSignature[],
  statement: Uint8Array,
  verify: VerifyFn,
  quorum: number,
): void {
  if (signatures.length < quorum) {
    throw new SaylauError(
      "consensus/cert_too_few_signers",
      `${signatures.length} signatures, quorum is ${quorum}`,
      { signers: signatures.length, quorum },
    );
  }
  let previous = -1;
  for (const { validator, sig } of signatures) {
    if (!Number.isSafeInteger(validator) || validator < 0 || validator >= validators.length) {
      throw new SaylauError(
        "consensus/cert_unknown_validator",
        `validator index ${validator} is not in the validator set of ${validators.length}`,
        { validator },
      );
    }
    if (validator === previous) {
      throw new SaylauError(
        "consensus/cert_duplicate_signer",
        `validator ${validator} signed twice`,
        {
          validator,
        },
      );
    }
    if (validator < previous) {
      throw new SaylauError(
        "consensus/cert_unsorted",
        "signatures must be sorted by validator index",
        { validator },
      );
    }
    previous = validator;
    if (!verify(validators[validator]!, statement, sig)) {
      throw new SaylauError(
        "consensus/cert_bad_signature",
        `bad signature from validator ${validator}`,
        { validator },
      );
    }
  }
}
