/**
 * The election state after each block, and the per-credential records kept beside it.
 *
 * The state is small next to the ledger (counts, phase, the schedule's current close, a
 * lattice hash over every credential record, and per district the encrypted running tally,
 * accepted decryption shares and the result) and hashed into every header as `stateHash`,
 * so a replaying auditor compares state at every height. Per-credential records are too many
 * to hash at every block; the lattice hash commits to all of them with a constant-cost update
 * per write, so a state snapshot's records can be checked against a certified stateHash.
 *
 * In memory each tally is kept as group elements (adding a ballot must not re-decode it);
 * it is encoded only to hash or store the state, and each tally's encoding is remembered, so
 * a block re-encodes only the districts it changed.
 */
import {
  array,
  bool,
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
import { LATTICE_HASH_BYTES, LatticeHash } from "../crypto/lattice-hash.ts";
import { SaylauError } from "../errors.ts";
import {
  contributionCodec,
  type DecryptionShare,
  decodeTally,
  decryptionShareCodec,
  type EncryptedTally,
  emptyTally,
  encodeTally,
} from "./ballot-crypto.ts";
import type { LedgerContext } from "./context.ts";
import { credentialElement as credentialBytes } from "./credentials-digest.ts";
import { MAX_DISTRICTS } from "./limits.ts";
import { PHASES, type Phase } from "./transactions.ts";

export interface DistrictState {
  /** Credentials registered to the district, revoked ones included. */
  readonly credentials: number;
  readonly revoked: number;
  /** The district's counted ballots (tally.ballotCount of them), in its ballot style. */
  readonly tally: EncryptedTally;
  /** Accepted trustee decryption shares of this tally, in ledger order, until the result. */
  readonly decryptions: readonly DecryptionShare[];
  /** Plain counts per contest of the style and option, once t trustees have decrypted. */
  readonly result: readonly (readonly number[])[] | null;
}

export interface ElectionState {
  readonly electionId: Uint8Array;
  readonly height: number;
  readonly phase: Phase;
  /** When the polls close (ms, UTC): the manifest's, or the commission's last extension. */
  readonly closesAt: number;
  /** Registered voter credentials, revoked ones included. */
  readonly credentials: number;
  readonly revoked: number;
  /** Ballot transactions accepted, revotes included. */
  readonly ballots: number;
  /** Credentials whose latest ballot counts: the number of ballots in the tallies. */
  readonly voters: number;
  /** Lattice hash over key || encodeCredentialRecord(record) of every registered credential. */
  readonly credentialsLattice: LatticeHash;
  readonly districts: readonly DistrictState[];
}

const resultCodec = nullable(array(array(uint(), 256), 256));

export const encodedDistrictStateCodec = struct({
  credentials: uint(),
  revoked: uint(),
  /** The encrypted tally's canonical encoding (docs/ELECTION-CRYPTO.md). */
  tally: bytesUpTo(4 * 1024 * 1024),
  decryptions: array(decryptionShareCodec, 64),
  result: resultCodec,
});

export const encodedStateCodec = struct({
  electionId: bytes(HASH_LENGTH),
  height: uint(),
  phase: oneOf(PHASES),
  closesAt: uint(),
  credentials: uint(),
  revoked: uint(),
  ballots: uint(),
  voters: uint(),
  credentialsLattice: bytes(LATTICE_HASH_BYTES),
  districts: array(encodedDistrictStateCodec, MAX_DISTRICTS, 1),
});
export type EncodedState = Infer<typeof encodedStateCodec>;

export function initialState(ctx: LedgerContext): ElectionState {
  return {
    electionId: ctx.electionId,
    height: 0,
    phase: "setup",
    closesAt: ctx.manifest.schedule.closesAt,
    credentials: 0,
    revoked: 0,
    ballots: 0,
    voters: 0,
    credentialsLattice: LatticeHash.empty(),
    districts: ctx.districtCrypto.map((crypto) => ({
      credentials: 0,
      revoked: 0,
      tally: emptyTally(crypto),
      decryptions: [],
      result: null,
    })),
  };
}

/** Tallies are immutable values: an encoding, once made, stays right. */
const encodedTallies = new WeakMap<EncryptedTally, Uint8Array>();

/** encodeTally, remembered per tally: the state's hash and the API's views share it. */
export function tallyBytes(tally: EncryptedTally): Uint8Array {
  let encoded = encodedTallies.get(tally);
  if (encoded === undefined) {
    encoded = encodeTally(tally);
    encodedTallies.set(tally, encoded);
  }
  return encoded;
}

export function encodeState(state: ElectionState): Uint8Array {
  return encodeWith(encodedStateCodec, {
    electionId: state.electionId,
    height: state.height,
    phase: state.phase,
    closesAt: state.closesAt,
    credentials: state.credentials,
    revoked: state.revoked,
    ballots: state.ballots,
    voters: state.voters,
    credentialsLattice: state.credentialsLattice.bytes(),
    districts: state.districts.map((d) => ({
      credentials: d.credentials,
      revoked: d.revoked,
      tally: tallyBytes(d.tally),
      decryptions: [...d.decryptions],
      result: d.result === null ? null : d.result.map((row) => [...row]),
    })),
  });
}

export function decodeState(ctx: LedgerContext, encoded: Uint8Array): ElectionState {
  const raw = decodeWith(encodedStateCodec, encoded, 64 * 1024 * 1024);
  if (raw.districts.length !== ctx.districtCrypto.length) {
    throw new SaylauError(
      "ledger/bad_state",
      `state has ${raw.districts.length} districts, the manifest ${ctx.districtCrypto.length}`,
    );
  }
  return {
    ...raw,
    credentialsLattice: LatticeHash.fromBytes(raw.credentialsLattice),
    districts: raw.districts.map((d, i) => ({
      ...d,
      tally: decodeTally(ctx.districtCrypto[i]!, d.tally),
    })),
  };
}

export function stateHash(state: ElectionState): Uint8Array {
  return taggedHash(TAG.state, encodeState(state));
}

/** What the ledger remembers of one registered credential. */
export const credentialRecordCodec = struct({
  /** The district it was registered to: its ballot style and tally. */
  district: uint(MAX_DISTRICTS - 1),
  /** Revoked by its registrar: its ballots no longer count. */
  revoked: bool,
  /** seq of the latest counted ballot, null before the first. */
  seq: nullable(uint()),
  /** Transaction id of that ballot. */
  ballotId: nullable(bytes(HASH_LENGTH)),
  /** Its ciphertexts, subtracted from the tally when the voter votes again. */
  contribution: nullable(contributionCodec),
});
export type CredentialRecord = Infer<typeof credentialRecordCodec>;

export function newCredentialRecord(district: number): CredentialRecord {
  return { district, revoked: false, seq: null, ballotId: null, contribution: null };
}

export function encodeCredentialRecord(record: CredentialRecord): Uint8Array {
  return encodeWith(credentialRecordCodec, record);
}

export function decodeCredentialRecord(encoded: Uint8Array): CredentialRecord {
  return decodeWith(credentialRecordCodec, encoded);
}

/** The lattice hash's element for one credential: key (32) || encoded record. */
export function credentialElement(key: Uint8Array, record: CredentialRecord): Uint8Array {
  return credentialBytes(key, encodeCredentialRecord(record));
}
