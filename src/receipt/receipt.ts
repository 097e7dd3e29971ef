/**
 * Inclusion receipts: proof, to someone holding only the manifest, that a transaction is in
 * the ledger the validators finalised. One pure check serves the CLI, the API's tests and a
 * web page (pass `verifyPure` as the signature verifier there):
 *
 *   1. the audit path leads from the ballot id at leafIndex to header.logRoot for a tree of
 *      header.logSize leaves (RFC 9162 inclusion);
 *   2. the header names this election and hashes to certificate.blockHash at its height;
 *   3. the certificate carries valid commit signatures of a quorum of distinct validators
 *      of the manifest.
 */
import { array, bytes, decodeWith, encodeWith, type Infer, struct, uint } from "../codec/schema.ts";
import {
  type CommitCertificate,
  certificateCodec,
  verifyCertificate,
} from "../consensus/certificate.ts";
import type { VerifyFn } from "../consensus/types.ts";
import { bytesEqual } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { HASH_LENGTH } from "../crypto/hash.ts";
import { verifyInclusion } from "../crypto/merkle.ts";
import { SaylauError } from "../errors.ts";
import { headerCodec, headerHash } from "../ledger/block.ts";

export const receiptCodec = struct({
  version: uint(1),
  ballotId: bytes(HASH_LENGTH),
  leafIndex: uint(),
  header: headerCodec,
  auditPath: array(bytes(HASH_LENGTH), 64),
  certificate: certificateCodec(),
});
export type Receipt = Infer<typeof receiptCodec>;

export function encodeReceipt(receipt: Receipt): Uint8Array {
  return encodeWith(receiptCodec, receipt);
}

export function decodeReceipt(encoded: Uint8Array): Receipt {
  return decodeWith(receiptCodec, encoded, 256 * 1024);
}

/** What a receipt check needs from the manifest. */
export interface ReceiptTrust {
  readonly electionId: Uint8Array;
  readonly validators: readonly Uint8Array[];
}

/**
 * Throws a typed error naming what failed: `receipt/path` (inclusion), `receipt/wrong_election`,
 * `receipt/header_hash` (header does not match the certificate), or the certificate's own
 * codes (`consensus/cert_too_few_signers`, `consensus/cert_bad_signature` naming the validator, ...).
 */
export function verifyReceipt(
  trust: ReceiptTrust,
  receipt: Receipt,
  verify: VerifyFn = verifySignature,
): void {
  const { header, certificate } = receipt;
  if (!bytesEqual(header.electionId, trust.electionId)) {
    throw new SaylauError("receipt/wrong_election", "the receipt's header is for another election");
  }
  const inclusion = verifyInclusion(
    receipt.ballotId,
    receipt.leafIndex,
    header.logSize,
    receipt.auditPath,
    header.logRoot,
  );
  if (!inclusion.ok) {
    throw new SaylauError(
      "receipt/path",
      `the audit path does not lead to the header's log root (${inclusion.reason})`,
      {
        reason: inclusion.reason,
      },
    );
  }
  if (
    certificate.height !== header.height ||
    !bytesEqual(headerHash(header), certificate.blockHash)
  ) {
    throw new SaylauError(
      "receipt/header_hash",
      "the header is not the block the certificate finalises",
    );
  }
  verifyCertificate(trust.electionId, trust.validators, certificate as CommitCertificate, verify);
}
