/**
 * The validator's copy of the ledger: the LevelDB store plus the chain tip in memory (state
 * and log frontier), with the pure state machine in between. Validation and commits are
 * serialised, so a proposal is always checked against the tip it will be applied to.
 */
import { setBounded } from "../bounded-map.ts";
import { bytesEqual, fromHex, toHex } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import type { LedgerContext } from "../ledger/apply.ts";
import { credentialsTouched } from "../ledger/apply.ts";
import type { Block } from "../ledger/block.ts";
import {
  buildBlock,
  type ChainTip,
  genesisBlock,
  type NextBlock,
  validateBlock,
} from "../ledger/chain.ts";
import { ledgerContext } from "../ledger/context.ts";
import {
  type CredentialRecord,
  decodeCredentialRecord,
  decodeState,
  encodeCredentialRecord,
  encodeState,
} from "../ledger/state.ts";
import { keys as storeKeys } from "../ledger/store/keys.ts";
import { LedgerStore } from "../ledger/store/ledger-store.ts";
import { BatchedReader } from "./batched-reads.ts";
import { DecodedTransactions } from "./decoded-transactions.ts";

const credentialKey = (k: Uint8Array) => storeKeys.credential(k);
/** About 100 bytes each: 200,000 records is some 20 MB. */
const CREDENTIAL_CACHE_LIMIT = 200_000;

export class LedgerReplica {
  readonly ctx: LedgerContext & { readonly manifestBytes: Uint8Array };
  readonly store: LedgerStore;
  #tip: ChainTip;
  readonly #reader: BatchedReader;
  /** Credential records by hex key, as committed (null: not registered). */
  readonly #records = new Map<string, CredentialRecord | null>();
  /** Commits so far: a read that started before one may be stale and is not cached. */
  #epoch = 0;
  /** Transactions decoded at admission, reused by block building and validation. */
  readonly decoded = new DecodedTransactions();

  private constructor(ctx: LedgerReplica["ctx"], store: LedgerStore, tip: ChainTip) {
    this.ctx = ctx;
    this.store = store;
    this.#tip = tip;
    this.#reader = new BatchedReader(store.db);
  }

  /** Open (or create from the manifest) the ledger in `dir`; refuses a store of another election. */
  static async open(dir: string, manifestBytes: Uint8Array): Promise<LedgerReplica> {
    const ctx = ledgerContext(manifestBytes);
    const store = await LedgerStore.open(dir);
    try {
      if (!store.initialized) {
        const genesis = genesisBlock(ctx);
        await store.initialize(manifestBytes, genesis.block, encodeState(genesis.tip.state));
        return new LedgerReplica(ctx, store, genesis.tip);
      }
      if (!bytesEqual(store.manifest(), manifestBytes)) {
        throw new SaylauError(
          "node/manifest_mismatch",
          `the data directory ${dir} holds the ledger of another election`,
        );
      }
      const head = store.head();
      const stateBytes = await store.stateAt(head.height);
      if (stateBytes === undefined) throw store.corrupt("no state stored for the head");
      const tip: ChainTip = {
        header: head.header,
        hash: head.hash,
        state: store.decodeStored("head state", () => decodeState(ctx, stateBytes)),
        frontier: store.frontier(),
      };
      return new LedgerReplica(ctx, store, tip);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  get tip(): ChainTip {
    return this.#tip;
  }

  get height(): number {
    return this.#tip.header.height;
  }

  async #lookup(txs: readonly Uint8Array[]): Promise<Map<string, CredentialRecord | null>> {
    const keys = credentialsTouched(txs, this.decoded.decode);
    const records = await this.credentials(keys);
    const map = new Map<string, CredentialRecord | null>();
    keys.forEach((k, i) => {
      map.set(toHex(k), records[i]!);
    });
    return map;
  }

  /**
   * Current records of credentials (null: not registered). A credential is read at
   * admission and again when its transaction is proposed and validated, so records are
   * kept in memory (this replica is the only writer: commit() updates them); misses are
   * read with one LevelDB getMany per turn of the event loop.
   */
  async credentials(keys: readonly Uint8Array[]): Promise<(CredentialRecord | null)[]> {
    const hexes = keys.map((k) => toHex(k));
    const out: (CredentialRecord | null | undefined)[] = hexes.map((h) => this.#records.get(h));
    const missing = out.flatMap((r, i) => (r === undefined ? [i] : []));
    if (missing.length > 0) {
      const epoch = this.#epoch;
      let values: (Uint8Array | undefined)[];
      try {
        values = await this.#reader.getMany(missing.map((i) => credentialKey(keys[i]!)));
      } catch (err) {
        throw this.store.readFailure("credential records", err);
      }
      missing.forEach((at, j) => {
        const r = values[j];
        const record =
          r === undefined
            ? null
            : this.store.decodeStored("credential record", () => decodeCredentialRecord(r));
        out[at] = record;
        // A commit that landed during the read may have changed it: keep only what is current.
        if (epoch === this.#epoch)
          setBounded(this.#records, hexes[at]!, record, CREDENTIAL_CACHE_LIMIT);
      });
    }
    return out as (CredentialRecord | null)[];
  }

  async propose(
    candidates: readonly Uint8Array[],
    options: {
      time: number;
      proposer: number;
      verified: ReadonlySet<string>;
      maxTxs?: number;
      maxBytes?: number;
    },
  ): Promise<ReturnType<typeof buildBlock>> {
    return buildBlock(this.ctx, this.#tip, candidates, await this.#lookup(candidates), {
      ...options,
      decode: this.decoded.decode,
    });
  }

  async validate(block: Block, verified: ReadonlySet<string>): Promise<NextBlock> {
    return validateBlock(this.ctx, this.#tip, block, await this.#lookup(block.txs), {
      verified,
      decode: this.decoded.decode,
    });
  }

  /** Persist a validated next block with its certificate and move the tip. */
  async commit(next: NextBlock, certificate: Uint8Array): Promise<void> {
    if (!bytesEqual(next.block.header.prevHash, this.#tip.hash)) {
      throw new SaylauError(
        "node/stale_block",
        `block ${next.block.header.height} no longer extends the tip`,
      );
    }
    await this.store.append({
      block: next.block,
      certificate,
      state: encodeState(next.tip.state),
      credentialWrites: [...next.writes].map(([hex, record]) => ({
        credential: fromHex(hex),
        record: encodeCredentialRecord(record),
      })),
    });
    this.#tip = next.tip;
    this.#epoch++;
    for (const [hex, record] of next.writes) {
      setBounded(this.#records, hex, record, CREDENTIAL_CACHE_LIMIT);
    }
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
