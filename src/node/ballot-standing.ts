/**
 * Whether a committed ballot still counts: the voter's credential record names the ballot
 * the tally holds for them, so a committed ballot that is not that one was replaced by a
 * later ballot of the same voter. Returns that ballot's id, or null when this one counts
 * (or the transaction is not a ballot).
 *
 * Finding the ballot's credential means reading its block; committed blocks never change,
 * so each block's credentials are kept (a bounded table per node): a client polling the
 * status of many ballots decodes each block once, not once per ballot.
 */
import { setBounded } from "../bounded-map.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { decodeTransaction } from "../ledger/transactions.ts";
import type { LedgerReplica } from "./ledger-replica.ts";

const BLOCKS_KEPT = 256;
const credentialsByBlock = new WeakMap<LedgerReplica, Map<number, (Uint8Array | null)[]>>();

async function credentialsOf(
  replica: LedgerReplica,
  height: number,
): Promise<(Uint8Array | null)[]> {
  let table = credentialsByBlock.get(replica);
  if (table === undefined) {
    table = new Map();
    credentialsByBlock.set(replica, table);
  }
  const known = table.get(height);
  if (known !== undefined) return known;
  const block = await replica.store.block(height);
  const credentials = (block?.txs ?? []).map((bytes) => {
    const tx = decodeTransaction(bytes);
    return tx.type === "ballot" ? tx.credential : null;
  });
  if (block !== undefined) setBounded(table, height, credentials, BLOCKS_KEPT);
  return credentials;
}

export async function replacedBy(
  replica: LedgerReplica,
  id: Uint8Array,
  location: { readonly height: number; readonly index: number },
): Promise<string | null> {
  const credential = (await credentialsOf(replica, location.height))[location.index] ?? null;
  if (credential === null) return null;
  const [record] = await replica.credentials([credential]);
  const counted = record?.ballotId ?? null;
  return counted === null || bytesEqual(counted, id) ? null : toHex(counted);
}
