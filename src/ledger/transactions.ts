/**
 * Transactions: the five kinds of signed entries in the ledger, their canonical encoding,
 * the message each is signed over, and the transaction id.
 *
 * Every transaction names the election id and is signed over
 * H("saylau/v1/tx", canonical(transaction without `sig`)), so no signature made for one
 * election, or for one kind of transaction, is valid for anything else. The id is the RFC
 * 9162 leaf hash of the full canonical bytes (signature included), so it is directly the
 * transaction's leaf in the ledger's Merkle log.
 */

import { encodeCanonical } from "../codec/cbor.ts";
import {
  array,
  bytes,
  decodeWith,
  encodeWith,
  type Infer,
  oneOf,
  struct,
  tagged,
  uint,
} from "../codec/schema.ts";
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, sign } from "../crypto/ed25519.ts";
import { HASH_LENGTH, TAG, taggedHash } from "../crypto/hash.ts";
import { leafHash } from "../crypto/merkle.ts";
import { ballotBodyCodec, decryptionShareCodec } from "./ballot-crypto.ts";
import {
  MAX_COMMISSION_MEMBERS,
  MAX_CREDENTIALS_PER_REGISTER,
  MAX_DISTRICTS,
  MAX_REGIONS,
  MAX_TX_BYTES,
} from "./limits.ts";

const electionId = bytes(HASH_LENGTH);
const sig = bytes(SIGNATURE_LENGTH);

/** Signed by the registrar of the district's region; binds each credential to the district. */
export const registerTxCodec = struct({
  type: oneOf(["register"]),
  electionId,
  district: uint(MAX_DISTRICTS - 1),
  credentials: array(bytes(PUBLIC_KEY_LENGTH), MAX_CREDENTIALS_PER_REGISTER, 1),
  sig,
});

/**
 * Signed by the registrar of region `region`: the credentials (registered in that region's
 * districts) stop counting; a ballot they cast is taken out of the tally. A replacement is an
 * ordinary registration of a new key.
 */
export const revokeTxCodec = struct({
  type: oneOf(["revoke"]),
  electionId,
  region: uint(MAX_REGIONS - 1),
  credentials: array(bytes(PUBLIC_KEY_LENGTH), MAX_CREDENTIALS_PER_REGISTER, 1),
  sig,
});

/**
 * The phases a state can be in. "setup": the commission has not approved the manifest;
 * "registration": approved, before opensAt; "open" and "closed" by block time against the
 * schedule. Nobody moves the phase: the block time does.
 */
export const PHASES = ["setup", "registration", "open", "closed"] as const;
export type Phase = (typeof PHASES)[number];

export const COMMISSION_ACTIONS = ["approve", "extend"] as const;

export const commissionSignatureCodec = struct({
  /** Index of the member in manifest.commission.members. */
  member: uint(MAX_COMMISSION_MEMBERS - 1),
  sig,
});

/**
 * A decision of the central commission, valid with at least k member signatures, listed in
 * strictly increasing member order, each over signingMessage(tx) (the transaction without
 * `signatures`). "approve": the manifest, with closesAt equal to the manifest's; "extend":
 * polls close at the later closesAt.
 */
export const commissionTxCodec = struct({
  type: oneOf(["commission"]),
  electionId,
  action: oneOf(COMMISSION_ACTIONS),
  closesAt: uint(),
  signatures: array(commissionSignatureCodec, MAX_COMMISSION_MEMBERS, 1),
});

export const ballotTxCodec = struct({
  type: oneOf(["ballot"]),
  electionId,
  credential: bytes(PUBLIC_KEY_LENGTH),
  /** The credential's district: its ballot style; must be the district it was registered to. */
  district: uint(MAX_DISTRICTS - 1),
  /**
   * Strictly increasing per credential. Revoting counts the ballot with the highest seq, so
   * the voter's order holds whatever order a leader puts two pending ballots in.
   */
  seq: uint(),
  ballot: ballotBodyCodec,
  sig,
});

/**
 * Signed with trusteeKeys[share.trustee - 1] (trustee indices start at 1, as in the
 * ceremony); decrypts the tally of one district.
 */
export const decryptionTxCodec = struct({
  type: oneOf(["decryption"]),
  electionId,
  district: uint(MAX_DISTRICTS - 1),
  share: decryptionShareCodec,
  sig,
});

export const transactionCodec = tagged("type", {
  register: registerTxCodec,
  revoke: revokeTxCodec,
  commission: commissionTxCodec,
  ballot: ballotTxCodec,
  decryption: decryptionTxCodec,
});

export type RegisterTx = Infer<typeof registerTxCodec>;
export type RevokeTx = Infer<typeof revokeTxCodec>;
export type CommissionTx = Infer<typeof commissionTxCodec>;
export type BallotTx = Infer<typeof ballotTxCodec>;
export type DecryptionTx = Infer<typeof decryptionTxCodec>;
export type Transaction = RegisterTx | RevokeTx | CommissionTx | BallotTx | DecryptionTx;
export type SingleSignerTransaction = Exclude<Transaction, CommissionTx>;
export type UnsignedTransaction<T extends Transaction = Transaction> = T extends CommissionTx
  ? Omit<T, "signatures">
  : Omit<T, "sig">;

export function encodeTransaction(tx: Transaction): Uint8Array {
  return encodeWith(transactionCodec, tx);
}

export function decodeTransaction(encoded: Uint8Array): Transaction {
  return decodeWith(transactionCodec, encoded, MAX_TX_BYTES) as Transaction;
}

/**
 * The 32 bytes a transaction's signer signs: the tagged hash of the canonical transaction
 * without its `sig` (or, for a commission transaction, without its `signatures`).
 */
export function signingMessage(tx: UnsignedTransaction | Transaction): Uint8Array {
  const { sig: _sig, signatures: _signatures, ...unsigned } = tx as Record<string, unknown>;
  return taggedHash(TAG.tx, encodeCanonical(unsigned as never));
}

export function signTransaction<T extends SingleSignerTransaction>(
  unsigned: UnsignedTransaction<T>,
  seed: Uint8Array,
): T {
  const tx = { ...unsigned, sig: new Uint8Array(SIGNATURE_LENGTH) } as T;
  // Validate the shape before signing so nothing malformed ever carries a signature.
  encodeTransaction(tx);
  return { ...unsigned, sig: sign(seed, signingMessage(unsigned)) } as T;
}

/** One commission member's signature over a commission transaction. */
export function signCommission(
  unsigned: UnsignedTransaction<CommissionTx>,
  member: number,
  seed: Uint8Array,
): Infer<typeof commissionSignatureCodec> {
  return { member, sig: sign(seed, signingMessage(unsigned)) };
}

/** The transaction id: RFC 9162 leaf hash of the canonical bytes. */
export function txId(encoded: Uint8Array): Uint8Array {
  return leafHash(encoded);
}
