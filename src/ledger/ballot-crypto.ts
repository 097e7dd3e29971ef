/**
 * The ledger's view of the election cryptography: which codecs the ledger embeds and the
 * few operations the state machine performs (verify a ballot, move it into or out of the
 * encrypted tally, check and combine trustee shares). Everything here delegates to
 * src/election; the only thing defined here is the credential record's "contribution":
 * the ciphertexts of a counted ballot, kept so a revote can take them out of the tally.
 */
import type { Infer } from "../codec/schema.ts";
import { type BallotBody, verifyBallot } from "../election/ballot.ts";
import { type ElectionContext, prepareElection } from "../election/context.ts";
import {
  combineVerifiedShares,
  type DecryptionShare,
  verifyDecryptionShare,
} from "../election/decryption.ts";
import type { ElectionDescription } from "../election/description.ts";
import { decodePoint } from "../election/group.ts";
import {
  addBallot,
  type EncryptedTally,
  emptyTally as empty,
  encryptedTallyCodec,
} from "../election/tally.ts";

export { ballotBodyCodec } from "../election/ballot.ts";
export { decryptionShareCodec } from "../election/decryption.ts";
export { electionDescriptionCodec } from "../election/description.ts";
export { decodeTally, encodeTally } from "../election/tally.ts";
export type { BallotBody, DecryptionShare, EncryptedTally };

export type ElectionCrypto = ElectionContext;

export function prepareElectionCrypto(
  description: ElectionDescription,
  electionId: Uint8Array,
): ElectionCrypto {
  return prepareElection(description, electionId);
}

/** A counted ballot's ciphertexts, in the encrypted tally's encoding with ballotCount 1. */
export const contributionCodec = encryptedTallyCodec;
export type Contribution = Infer<typeof contributionCodec>;

export function emptyTally(crypto: ElectionCrypto): EncryptedTally {
  return empty(crypto);
}

export function verifyBallotProofs(
  crypto: ElectionCrypto,
  credential: Uint8Array,
  body: BallotBody,
): void {
  verifyBallot(crypto, credential, body);
}

/** The ballot's ciphertexts, copied from its body: no group operation needed. */
export function contributionOf(body: BallotBody): Contribution {
  return {
    ballotCount: 1,
    contests: body.contests.map((c) => c.selections.map((s) => ({ alpha: s.alpha, beta: s.beta }))),
  };
}

export function tallyAdd(
  crypto: ElectionCrypto,
  tally: EncryptedTally,
  body: BallotBody,
): EncryptedTally {
  return addBallot(crypto, tally, body);
}

/** Takes a previously counted ballot out of the tally (the voter voted again). */
export function tallySubtract(
  crypto: ElectionCrypto,
  tally: EncryptedTally,
  contribution: Contribution,
): EncryptedTally {
  void crypto;
  return {
    ballotCount: tally.ballotCount - contribution.ballotCount,
    contests: tally.contests.map((row, i) =>
      row.map((ct, j) => {
        const c = contribution.contests[i]![j]!;
        return {
          alpha: ct.alpha.subtract(decodePoint(c.alpha, "contribution.alpha")),
          beta: ct.beta.subtract(decodePoint(c.beta, "contribution.beta")),
        };
      }),
    ),
  };
}

export function threshold(crypto: ElectionCrypto): number {
  return crypto.threshold;
}

export function verifyShare(
  crypto: ElectionCrypto,
  tally: EncryptedTally,
  share: DecryptionShare,
): void {
  verifyDecryptionShare(crypto, tally, share);
}

/**
 * The plain counts from shares the caller has verified against `tally` (verifyShare), each
 * of them: the ledger verifies a share when it applies it, the audit before it recombines.
 */
export function countsFromVerifiedShares(
  crypto: ElectionCrypto,
  tally: EncryptedTally,
  verifiedShares: readonly DecryptionShare[],
): number[][] {
  return combineVerifiedShares(crypto, tally, verifiedShares, tally.ballotCount);
}
