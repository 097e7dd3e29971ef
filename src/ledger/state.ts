/**
 * The election state after each block, and the per-credential records kept beside it.
 *
 * The state is small (counts, phase, the encrypted running tally, accepted decryption
 * shares, the result) and hashed into every header as `stateHash`, so a replaying auditor
 * compares state at every height. Per-credential records (registered, latest ballot) are
 * too many to hash at every block; they are determined by the transactions, which the log
 * root commits to, and live in the store.
 *
 * In memory the tally is kept as group elements (adding a ballot must not re-decode it);
 * it is encoded only to hash or store the state.
 */
import {
  array,
  bytes,
  bytesUpTo,
  decodeWith,
  encodeWith,
  type Infer,
  nullable,
  oneOf,
  struct,
  uint,
} from "../codec/schema.ts";
import { HASH_LENGTH, TAG, taggedHash } from "../crypto/hash.ts";
import {
  contributionCodec,
  type DecryptionShare,
  decodeTally,
  decryptionShareCodec,
  type ElectionCrypto,
  type EncryptedTally,
  emptyTally,
  encodeTally,
} from "./ballot-crypto.ts";
import { PHASES, type Phase } from "./transactions.ts";

export interface ElectionState {
  readonly electionId: Uint8Array;
  readonly height: number;
  readonly phase: Phase;
  /** Registered voter credentials. */
  readonly credentials: number;
  /** Ballot transactions accepted, revotes included. */
  readonly ballots: number;
  /** Credentials whose latest ballot counts: the number of ballots in the tally. */
  readonly voters: number;
  /** Homomorphic sum of every counted ballot (each credential's latest). */
  readonly tally: EncryptedTally;
  /** Accepted trustee decryption shares, in ledger order. */
  readonly decryptions: readonly DecryptionShare[];
  /** Plain counts per contest and option, once enough trustees have decrypted. */
  readonly result: readonly (readonly number[])[] | null;
}

export const encodedStateCodec = struct({
  electionId: bytes(HASH_LENGTH),
  height: uint(),
  phase: oneOf(PHASES),
  credentials: uint(),
  ballots: uint(),
  voters: uint(),
  /** The encrypted tally's canonical encoding (docs/ELECTION-CRYPTO.md). */
  tally: bytesUpTo(4 * 1024 * 1024),
  decryptions: array(decryptionShareCodec, 64),
  result: nullable(array(array(uint(), 256), 256)),
});
export type EncodedState = Infer<typeof encodedStateCodec>;

export function initialState(electionId: Uint8Array, crypto: ElectionCrypto): ElectionState {
  return {
    electionId,
    height: 0,
    phase: "setup",
    credentials: 0,
    ballots: 0,
    voters: 0,
    tally: emptyTally(crypto),
    decryptions: [],
    result: null,
  };
}

export function encodeState(state: ElectionState): Uint8Array {
  return encodeWith(encodedStateCodec, {
    ...state,
    tally: encodeTally(state.tally),
    decryptions: [...state.decryptions],
    result: state.result === null ? null : state.result.map((row) => [...row]),
  });
}

export function decodeState(crypto: ElectionCrypto, encoded: Uint8Array): ElectionState {
  const raw = decodeWith(encodedStateCodec, encoded);
  return { ...raw, tally: decodeTally(crypto, raw.tally) };
}

export function stateHash(state: ElectionState): Uint8Array {
  return taggedHash(TAG.state, encodeState(state));
}

/** What the ledger remembers of one registered credential. */
export const credentialRecordCodec = struct({
  /** seq of the latest counted ballot, null before the first. */
  seq: nullable(uint()),
  /** Transaction id of that ballot. */
  ballotId: nullable(bytes(HASH_LENGTH)),
  /** Its ciphertexts, subtracted from the tally when the voter votes again. */
  contribution: nullable(contributionCodec),
});
export type CredentialRecord = Infer<typeof credentialRecordCodec>;

export const NEW_CREDENTIAL: CredentialRecord = { seq: null, ballotId: null, contribution: null };

export function encodeCredentialRecord(record: CredentialRecord): Uint8Array {
  return encodeWith(credentialRecordCodec, record);
}

export function decodeCredentialRecord(encoded: Uint8Array): CredentialRecord {
  return decodeWith(credentialRecordCodec, encoded);
}
