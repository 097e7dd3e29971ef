/**
 * The challenge record of a spoiled ballot (docs/ELECTION-CRYPTO.md, "Cast-as-intended"):
 * the signed ballot transaction exactly as it would have been posted, plus every selection's
 * nonce. Whoever holds the manifest checks it anywhere: the transaction is a ballot of this
 * election signed by its credential, its proofs hold, and the nonces open it to the choices
 * shown. Its tracking code is the one the voter saw before choosing to check instead of cast.
 */
import {
  array,
  bytes,
  bytesUpTo,
  decodeWith,
  encodeWith,
  type Infer,
  struct,
  uint,
} from "../codec/schema.ts";
import { bytesEqual } from "../crypto/bytes.ts";
import type { Ed25519KeyPair } from "../crypto/ed25519.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { type Choices, encryptBallotWithNonces, verifyBallot } from "../election/ballot.ts";
import { openBallot } from "../election/challenge.ts";
import { MAX_CONTESTS, MAX_OPTIONS } from "../election/description.ts";
import { scalarToBytes } from "../election/group.ts";
import type { Rng } from "../election/rng.ts";
import { trackingCode } from "../election/tracking-code.ts";
import { SaylauError } from "../errors.ts";
import { checkBallotStyle } from "./apply-votes.ts";
import type { LedgerContext } from "./context.ts";
import { districtAt } from "./geography.ts";
import { MAX_TX_BYTES } from "./limits.ts";
import {
  type BallotTx,
  decodeTransaction,
  encodeTransaction,
  signingMessage,
  signTransaction,
  txId,
} from "./transactions.ts";

export const challengeCodec = struct({
  version: uint(1),
  /** The signed ballot transaction, canonical bytes. */
  tx: bytesUpTo(MAX_TX_BYTES),
  /** nonces[contest][option]: r as a 32-byte little-endian scalar. */
  nonces: array(array(bytes(32), MAX_OPTIONS, 1), MAX_CONTESTS, 1),
});
export type ChallengeRecord = Infer<typeof challengeCodec>;

/** A signed ballot transaction and, kept aside until the voter decides, its nonces. */
export interface SealedBallot {
  readonly tx: Uint8Array;
  readonly nonces: Uint8Array[][];
}

/** Like tx-builders' ballotTx, but keeps the nonces so the voter may challenge the ballot. */
export function sealBallot(
  ctx: LedgerContext,
  voter: Ed25519KeyPair,
  district: number,
  choices: Choices,
  seq: number,
  rng?: Rng,
): SealedBallot {
  const crypto = districtAt(ctx.geography, district) && ctx.districtCrypto[district]!;
  const { body, nonces } = encryptBallotWithNonces(crypto, voter.publicKey, choices, rng);
  const tx = encodeTransaction(
    signTransaction<BallotTx>(
      {
        type: "ballot",
        electionId: crypto.electionId,
        credential: voter.publicKey,
        district,
        seq,
        ballot: body,
      },
      voter.seed,
    ),
  );
  return { tx, nonces: nonces.map((row) => row.map(scalarToBytes)) };
}

export function encodeChallenge(sealed: SealedBallot): Uint8Array {
  return encodeWith(challengeCodec, { version: 1, tx: sealed.tx, nonces: sealed.nonces });
}

export interface OpenedChallenge {
  readonly trackingCode: string;
  readonly credential: Uint8Array;
  readonly district: number;
  readonly seq: number;
  readonly choices: Choices;
}

/**
 * Checks a challenge record against the election and returns what the ballot encrypts.
 * Throws `challenge/not_a_ballot`, `challenge/wrong_election`, `challenge/bad_signature`,
 * the ballot's own `election/bad_proof`, or `election/bad_challenge` when a nonce does not
 * open its selection.
 */
export function openChallenge(ctx: LedgerContext, record: Uint8Array): OpenedChallenge {
  const { tx: encoded, nonces } = decodeWith(challengeCodec, record, 2 * MAX_TX_BYTES);
  const tx = decodeTransaction(encoded);
  if (tx.type !== "ballot") {
    throw new SaylauError("challenge/not_a_ballot", `the record holds a ${tx.type} transaction`);
  }
  if (!bytesEqual(tx.electionId, ctx.electionId)) {
    throw new SaylauError("challenge/wrong_election", "the ballot is for another election");
  }
  if (!verifySignature(tx.credential, signingMessage(tx), tx.sig)) {
    throw new SaylauError("challenge/bad_signature", "the credential did not sign this ballot");
  }
  const crypto = districtAt(ctx.geography, tx.district) && ctx.districtCrypto[tx.district]!;
  checkBallotStyle(crypto, tx.ballot);
  verifyBallot(crypto, tx.credential, tx.ballot);
  return {
    trackingCode: trackingCode(txId(encoded)),
    credential: tx.credential,
    district: tx.district,
    seq: tx.seq,
    choices: openBallot(crypto, tx.ballot, nonces),
  };
}
