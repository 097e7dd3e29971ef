/**
 * The second half of a receipt check: a node's current head extends the receipt's header.
 * The head's certificate must be signed by a quorum of the manifest's validators, and an
 * RFC 9162 consistency proof must show that the head's log only grew from the receipt's.
 * Pure: the caller fetches the head and, when asked, the proof (the CLI over node:http, the
 * web page with fetch), so both run this one check.
 */
import { decodeCertificate, verifyCertificate } from "../consensus/certificate.ts";
import type { VerifyFn } from "../consensus/types.ts";
import { bytesEqual } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { verifyConsistency } from "../crypto/merkle.ts";
import { SaylauError } from "../errors.ts";
import { decodeBlock, headerHash } from "../ledger/block.ts";
import type { Receipt, ReceiptTrust } from "./receipt.ts";

export interface HeadEvidence {
  /** Canonical block bytes of the node's head. */
  readonly block: Uint8Array;
  /** Its canonical commit certificate; null when the node offers none. */
  readonly certificate: Uint8Array | null;
}

/**
 * Returns the head's height. Throws `receipt/no_head_certificate`, `receipt/header_hash`
 * (the head is not the block its certificate finalises), the certificate's own codes,
 * `receipt/log_shrank`, `receipt/fork` (same size, other root) or `receipt/not_consistent`.
 */
export async function checkHeadExtends(
  trust: ReceiptTrust,
  receipt: Receipt,
  head: HeadEvidence,
  consistencyProof: (from: number, to: number) => Promise<Uint8Array[]>,
  verify: VerifyFn = verifySignature,
): Promise<number> {
  const header = decodeBlock(head.block).header;
  if (head.certificate === null) {
    throw new SaylauError("receipt/no_head_certificate", "the node's head has no certificate");
  }
  const certificate = decodeCertificate(head.certificate);
  if (
    certificate.height !== header.height ||
    !bytesEqual(certificate.blockHash, headerHash(header))
  ) {
    throw new SaylauError(
      "receipt/header_hash",
      "the node's head is not the block its certificate finalises",
    );
  }
  verifyCertificate(trust.electionId, trust.validators, certificate, verify);
  const from = receipt.header.logSize;
  const to = header.logSize;
  if (to < from) {
    throw new SaylauError(
      "receipt/log_shrank",
      `the node's log has ${to} entries, the receipt's ${from}`,
    );
  }
  if (to === from) {
    if (!bytesEqual(header.logRoot, receipt.header.logRoot)) {
      throw new SaylauError(
        "receipt/fork",
        "same log size, different root: the ledger was rewritten",
      );
    }
    return header.height;
  }
  const proof = await consistencyProof(from, to);
  const result = verifyConsistency(from, to, receipt.header.logRoot, header.logRoot, proof);
  if (!result.ok) {
    throw new SaylauError(
      "receipt/not_consistent",
      `the ledger did not only grow since the receipt (${result.reason})`,
    );
  }
  return header.height;
}
