/**
 * A whole ledger replica in memory: the chain tip plus every credential record. Used by the
 * auditor's replay and by tests; the validator node keeps the same data in LevelDB instead.
 */

import { toHex } from "../crypto/bytes.ts";
import type { SaylauError } from "../errors.ts";
import { type ApplyOptions, credentialsTouched, type LedgerContext } from "./apply.ts";
import type { Block } from "./block.ts";
import { buildBlock, type ChainTip, genesisBlock, type NextBlock, validateBlock } from "./chain.ts";
import type { CredentialRecord } from "./state.ts";

export class MemoryLedger {
  readonly ctx: LedgerContext;
  readonly blocks: Block[] = [];
  #tip: ChainTip;
  readonly #credentials = new Map<string, CredentialRecord>();

  constructor(ctx: LedgerContext) {
    this.ctx = ctx;
    const genesis = genesisBlock(ctx);
    this.blocks.push(genesis.block);
    this.#tip = genesis.tip;
  }

  get tip(): ChainTip {
    return this.#tip;
  }

  credential(hex: string): CredentialRecord | undefined {
    return this.#credentials.get(hex);
  }

  #lookup(txs: readonly Uint8Array[]): Map<string, CredentialRecord | null> {
    const map = new Map<string, CredentialRecord | null>();
    for (const key of credentialsTouched(txs)) {
      const hex = toHex(key);
      map.set(hex, this.#credentials.get(hex) ?? null);
    }
    return map;
  }

  /** Propose a block from candidates as a leader would; does not commit it. */
  propose(
    candidates: readonly Uint8Array[],
    time: number,
    proposer = 0,
    options: ApplyOptions = {},
  ): NextBlock & { rejected: { index: number; error: SaylauError }[] } {
    return buildBlock(this.ctx, this.#tip, candidates, this.#lookup(candidates), {
      ...options,
      time,
      proposer,
    });
  }

  /** Validate a block against the tip as a replica or auditor would, without committing. */
  validate(block: Block, options: ApplyOptions = {}): NextBlock {
    return validateBlock(this.ctx, this.#tip, block, this.#lookup(block.txs), options);
  }

  /** Validate and commit. */
  commit(block: Block, options: ApplyOptions = {}): NextBlock {
    const next = this.validate(block, options);
    for (const [k, v] of next.writes) this.#credentials.set(k, v);
    this.#tip = next.tip;
    this.blocks.push(block);
    return next;
  }
}
