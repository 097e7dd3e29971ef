/**
 * The validator's copy of the ledger: the LevelDB store plus the chain tip in memory (state
 * and log frontier), with the pure state machine in between. Validation and commits are
 * serialised, so a proposal is always checked against the tip it will be applied to.
 */
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

const credentialKey = (k: Uint8Array) => storeKeys.credential(k);

export class LedgerReplica {
  readonly ctx: LedgerContext & { readonly manifestBytes: Uint8Array };
  readonly store: LedgerStore;
  #tip: ChainTip;
  readonly #reader: BatchedReader;

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
      if (stateBytes === undefined)
        throw new SaylauError("store/corrupt", "no state stored for the head");
      const tip: ChainTip = {
        header: head.header,
        hash: head.hash,
        state: decodeState(ctx.crypto, stateBytes),
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
    const keys = credentialsTouched(txs);
    const records = await this.store.credentialRecords(keys);
    const map = new Map<string, CredentialRecord | null>();
    keys.forEach((k, i) => {
      const r = records[i];
      map.set(toHex(k), r === undefined ? null : decodeCredentialRecord(r));
    });
    return map;
  }

  /** Current records of credentials (null: not registered), reads coalesced across callers. */
  async credentials(keys: readonly Uint8Array[]): Promise<(CredentialRecord | null)[]> {
    const values = await this.#reader.getMany(keys.map((k) => credentialKey(k)));
    return values.map((r) => (r === undefined ? null : decodeCredentialRecord(r)));
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
    return buildBlock(this.ctx, this.#tip, candidates, await this.#lookup(candidates), options);
  }

  async validate(block: Block, verified: ReadonlySet<string>): Promise<NextBlock> {
    return validateBlock(this.ctx, this.#tip, block, await this.#lookup(block.txs), { verified });
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
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
