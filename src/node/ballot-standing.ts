/**
 * Whether a committed ballot still counts: the voter's credential record names the ballot
 * the tally holds for them, so a committed ballot that is not that one was replaced by a
 * later ballot of the same voter. Returns that ballot's id, or null when this one counts
 * (or the transaction is not a ballot).
 */
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { decodeTransaction } from "../ledger/transactions.ts";
import type { ValidatorNode } from "./validator-node.ts";

export async function replacedBy(
  node: ValidatorNode,
  id: Uint8Array,
  location: { readonly height: number; readonly index: number },
): Promise<string | null> {
  const block = await node.replica.store.block(location.height);
  const bytes = block?.txs[location.index];
  if (bytes === undefined) return null;
  const tx = decodeTransaction(bytes);
  if (tx.type !== "ballot") return null;
  const [record] = await node.replica.credentials([tx.credential]);
  const counted = record?.ballotId ?? null;
  return counted === null || bytesEqual(counted, id) ? null : toHex(counted);
}
