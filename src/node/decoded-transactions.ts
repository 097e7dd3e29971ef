/**
 * A validator meets each transaction several times on its main thread: at admission, in
 * the candidate block it builds, and in the block it validates and commits. Decoding it
 * (canonical CBOR, checked by re-encoding) is the largest part of that work, so the values
 * are kept here by transaction id from admission until commit.
 *
 * Safe to share because the id is the SHA-256 leaf hash of the exact bytes, so one id names
 * one encoding and one value; the values are never modified by the node; and each is decoded
 * from a private copy of its bytes, so it does not pin the request or frame it came in.
 */
import { setBounded } from "../bounded-map.ts";
import { toHex } from "../crypto/bytes.ts";
import type { TxDecoder } from "../ledger/apply.ts";
import { decodeTransaction, type Transaction, txId } from "../ledger/transactions.ts";

export class DecodedTransactions {
  readonly #byId = new Map<string, Transaction>();
  readonly #limit: number;

  /** A decoded ballot takes some 5-8 KB: 8,192 of them, up to about 60 MB. */
  constructor(limit = 8192) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#byId.size;
  }

  /**
   * The value, id and id bytes of one encoded transaction; throws as decodeTransaction does.
   * `knownId` is txId(bytes) when the caller has computed it already.
   */
  decodeWithId(
    bytes: Uint8Array,
    knownId?: Uint8Array,
  ): { tx: Transaction; id: string; idBytes: Uint8Array } {
    const idBytes = knownId ?? txId(bytes);
    const id = toHex(idBytes);
    let tx = this.#byId.get(id);
    if (tx === undefined) {
      tx = decodeTransaction(Uint8Array.from(bytes));
      setBounded(this.#byId, id, tx, this.#limit);
    }
    return { tx, id, idBytes };
  }

  /** For the ledger functions' `decode` option. */
  readonly decode: TxDecoder = (bytes) => this.decodeWithId(bytes).tx;

  /** Drop the values of committed (or refused) transactions. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.#byId.delete(id);
  }
}
