/**
 * Saylau election cryptography: ElectionGuard 2.1 constructions on ristretto255. Pure: no
 * clock, network or disk; all randomness injectable (`rng`, default the platform CSPRNG).
 * Byte formats, Fiat-Shamir inputs and measurements: docs/ELECTION-CRYPTO.md.
 *
 * What the ledger calls:
 *   prepareElection(description, electionId: 32 bytes)            -> ElectionContext
 *   encryptBallot(ctx, credentialPublicKey, choices, rng?)         -> BallotBody
 *   encodeBallot(body) -> bytes;   decodeBallot(ctx, bytes) -> BallotBody (typed errors)
 *   verifyBallot(ctx, credentialPublicKey, body)                   -> void, throws SaylauError
 *   verifyBallotsBatch(ctx, [{credential, body, style?}], rng?)    -> indices of bad ballots
 *   emptyTally(ctx); addBallot(ctx, tally, body); subtractBallot(ctx, tally, body)
 *                                                                  -> EncryptedTally (new value)
 *   encodeTally(tally) -> canonical bytes (stateHash);  decodeTally(ctx, bytes);  tallyHash(tally)
 *   partialDecrypt(ctx, trusteeSecret, tally, rng?)                -> DecryptionShare
 *   verifyDecryptionShare(ctx, tally, share)                       -> void, throws SaylauError
 *   combineShares(ctx, tally, shares, maxCount)                    -> counts[contest][option]
 *   trackingCode(ballotId) -> "XXXX-XXXX-XXXX-XXXX-C";  parseTrackingCode(code) -> 10-byte prefix
 *
 * Key ceremony (the trustees' CLI): startKeyCeremony, verifyTrusteePublic, encryptShare,
 * openShare (-> share or Complaint), verifyComplaint, finishKeyCeremony,
 * buildElectionDescription; seededElection runs all of it from one seed (tests, demo).
 * The ceremony's public transcript (ceremony-transcript.ts): signAnnouncement, signShare,
 * signVerdict, verifyCeremonyTranscript(bytes) -> trustees, signing keys, K, hash and the
 * description for given contests; transcriptHash(bytes) -> the manifest's `ceremony`.
 * Its refusals are ceremony/* codes (docs/ELECTION-CRYPTO.md, "Ceremony transcript").
 *
 * Error codes (SaylauError.code): election/bad_point, election/bad_scalar, election/bad_proof,
 * election/wrong_limit, election/wrong_shape, election/bad_choice, election/bad_credential,
 * election/bad_election_id, election/bad_version, election/bad_threshold,
 * election/bad_trustee, election/bad_joint_key, election/unknown_trustee,
 * election/bad_share, election/bad_complaint, election/bad_ceremony,
 * election/bad_trustee_secret, election/bad_decryption_share, election/not_enough_shares,
 * election/count_out_of_range, election/bad_bound, election/empty_tally,
 * election/bad_tracking_code, election/bad_seed; codec/* from the canonical decoder.
 */
export {
  type BallotBody,
  ballotBodyCodec,
  type Choices,
  decodeBallot,
  encodeBallot,
  encryptBallot,
  verifyBallot,
} from "./ballot.ts";
export { type BatchItem, verifyBallotsBatch } from "./batch.ts";
export {
  buildElectionDescription,
  type CeremonyParameters,
  type Complaint,
  decodeComplaint,
  decodeEncryptedShare,
  decodeTrusteePolynomial,
  decodeTrusteeSecret,
  type EncryptedShare,
  encodeComplaint,
  encodeEncryptedShare,
  encodeTrusteePolynomial,
  encodeTrusteeSecret,
  encryptShare,
  finishKeyCeremony,
  type OpenedShare,
  openShare,
  type ShareFault,
  startKeyCeremony,
  type TrusteePolynomial,
  type TrusteeSecret,
  verifyComplaint,
  verifyTrusteePublic,
} from "./ceremony.ts";
export {
  type CeremonyTranscript,
  decodeTranscript,
  encodeTranscript,
  type SignedAnnouncement,
  type SignedShare,
  type SignedVerdict,
  signAnnouncement,
  signShare,
  signVerdict,
  transcriptHash,
  type VerifiedCeremony,
  verifyCeremonyTranscript,
} from "./ceremony-transcript.ts";
export { type ElectionContext, prepareElection } from "./context.ts";
export {
  combineShares,
  combineVerifiedShares,
  type DecryptionShare,
  decodeDecryptionShare,
  encodeDecryptionShare,
  partialDecrypt,
  verifyDecryptionShare,
} from "./decryption.ts";
export {
  type Contest,
  decodeElectionDescription,
  type ElectionDescription,
  electionDescriptionCodec,
  encodeElectionDescription,
  type TrusteePublic,
  validateDescription,
} from "./description.ts";
export { boundedDiscreteLog, boundedDiscreteLogs } from "./dlog.ts";
export { type Rng, seededRng, systemRng } from "./rng.ts";
export { type SeededElection, seededElection } from "./seeded.ts";
export {
  addBallot,
  decodeTally,
  type EncryptedTally,
  emptyTally,
  encodeTally,
  subtractBallot,
  tallyHash,
} from "./tally.ts";
export { parseTrackingCode, trackingCode, trackingCodeMatches } from "./tracking-code.ts";
