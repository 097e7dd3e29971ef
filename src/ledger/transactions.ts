/**
 * Transactions: the four kinds of signed entries in the ledger, their canonical encoding,
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
import { MAX_CREDENTIALS_PER_REGISTER, MAX_TX_BYTES } from "./limits.ts";

const electionId = bytes(HASH_LENGTH);
const sig = bytes(SIGNATURE_LENGTH);

export const registerTxCodec = struct({
  type: oneOf(["register"]),
  electionId,
  credentials: array(bytes(PUBLIC_KEY_LENGTH), MAX_CREDENTIALS_PER_REGISTER, 1),
  sig,
});

export const PHASES = ["setup", "open", "closed"] as const;
export type Phase = (typeof PHASES)[number];

export const phaseTxCodec = struct({
  type: oneOf(["phase"]),
  electionId,
  phase: oneOf(["open", "closed"]),
  sig,
});

export const ballotTxCodec = struct({
  type: oneOf(["ballot"]),
  electionId,
  credential: bytes(PUBLIC_KEY_LENGTH),
  /**
   * Strictly increasing per credential. Revoting counts the ballot with the highest seq, so
   * the voter's order holds whatever order a leader puts two pending ballots in.
   */
  seq: uint(),
  ballot: ballotBodyCodec,
  sig,
});

/** Signed with trusteeKeys[share.trustee - 1] (trustee indices start at 1, as in the ceremony). */
export const decryptionTxCodec = struct({
  type: oneOf(["decryption"]),
  electionId,
  share: decryptionShareCodec,
  sig,
});

export const transactionCodec = tagged("type", {
  register: registerTxCodec,
  phase: phaseTxCodec,
  ballot: ballotTxCodec,
  decryption: decryptionTxCodec,
});

export type RegisterTx = Infer<typeof registerTxCodec>;
export type PhaseTx = Infer<typeof phaseTxCodec>;
export type BallotTx = Infer<typeof ballotTxCodec>;
export type DecryptionTx = Infer<typeof decryptionTxCodec>;
export type Transaction = RegisterTx | PhaseTx | BallotTx | DecryptionTx;
export type UnsignedTransaction<T extends Transaction = Transaction> = Omit<T, "sig">;

export function encodeTransaction(tx: Transaction): Uint8Array {
  return encodeWith(transactionCodec, tx);
}

export function decodeTransaction(encoded: Uint8Array): Transaction {
  return decodeWith(transactionCodec, encoded, MAX_TX_BYTES) as Transaction;
}

/** The 32 bytes a transaction's signer signs. */
export function signingMessage(tx: UnsignedTransaction | Transaction): Uint8Array {
  const { sig: _omit, ...unsigned } = tx as Transaction;
  return taggedHash(TAG.tx, encodeCanonical(unsigned as never));
}

export function signTransaction<T extends Transaction>(
  unsigned: UnsignedTransaction<T>,
  seed: Uint8Array,
): T {
  const tx = { ...unsigned, sig: new Uint8Array(SIGNATURE_LENGTH) } as T;
  // Validate the shape before signing so nothing malformed ever carries a signature.
  encodeTransaction(tx);
  return { ...unsigned, sig: sign(seed, signingMessage(unsigned)) } as T;
}

/** The transaction id: RFC 9162 leaf hash of the canonical bytes. */
export function txId(encoded: Uint8Array): Uint8Array {
  return leafHash(encoded);
}
