/** Transactions broken in one chosen way, for tests of what validators refuse. */
import {
  type BallotTx,
  decodeTransaction,
  encodeTransaction,
  signTransaction,
} from "../../src/ledger/transactions.ts";

/** Flips a bit of one proof response and re-signs, so only the proof is wrong. */
export function corruptProof(tx: Uint8Array, seed: Uint8Array): Uint8Array {
  const { sig: _sig, ...t } = decodeTransaction(tx) as BallotTx;
  const ballot = structuredClone(t.ballot);
  ballot.contests[0]!.selections[1]!.proof[0]!.v[3]! ^= 1;
  return encodeTransaction(signTransaction<BallotTx>({ ...t, ballot }, seed));
}
