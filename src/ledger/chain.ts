/**
 * Blocks on top of the state machine: the genesis block derived from the manifest, building
 * the next block from candidate transactions (the proposer's side), and validating a
 * proposed or fetched block against the chain tip (every replica's and auditor's side).
 */
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import {
  appendLeaves,
  EMPTY_ROOT,
  type Frontier,
  frontierFromNodes,
  frontierRoot,
} from "../crypto/merkle.ts";
import { SaylauError } from "../errors.ts";
import {
  type ApplyOptions,
  applyTransactions,
  type CredentialLookup,
  type LedgerContext,
} from "./apply.ts";
import { type Block, type BlockHeader, encodedBlockSize, headerHash, ZERO_HASH } from "./block.ts";
import { MAX_BLOCK_BYTES, MAX_BLOCK_TXS } from "./limits.ts";
import { type CredentialRecord, type ElectionState, initialState, stateHash } from "./state.ts";
import { txId } from "./transactions.ts";

/** Everything a replica needs to validate or build the next block. */
export interface ChainTip {
  readonly header: BlockHeader;
  readonly hash: Uint8Array;
  readonly state: ElectionState;
  readonly frontier: Frontier;
}

export interface NextBlock {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly tip: ChainTip;
  /** Credential records this block changes, by hex key. */
  readonly writes: Map<string, CredentialRecord>;
}

export function genesisBlock(ctx: LedgerContext): { block: Block; tip: ChainTip } {
  const state = initialState(ctx);
  const header: BlockHeader = {
    electionId: ctx.electionId,
    height: 0,
    prevHash: ZERO_HASH,
    time: ctx.manifest.createdAt,
    proposer: 0,
    txCount: 0,
    logSize: 0,
    logRoot: EMPTY_ROOT,
    stateHash: stateHash(state),
  };
  const block = { header, txs: [] };
  return {
    block,
    tip: { header, hash: headerHash(header), state, frontier: frontierFromNodes(0, []) },
  };
}

export interface BuildOptions extends ApplyOptions {
  readonly time: number;
  readonly proposer: number;
  readonly maxTxs?: number;
  readonly maxBytes?: number;
}

/**
 * The proposer's side: take candidates in order, keep each that applies cleanly on top of
 * the ones kept before it, and stop at the size limits. Returns the block and the
 * candidates left out with the reason, so the pool can drop the invalid ones.
 */
export function buildBlock(
  ctx: LedgerContext,
  tip: ChainTip,
  candidates: readonly Uint8Array[],
  credentials: CredentialLookup,
  options: BuildOptions,
): NextBlock & { rejected: { index: number; error: SaylauError }[] } {
  const maxTxs = Math.min(options.maxTxs ?? MAX_BLOCK_TXS, MAX_BLOCK_TXS);
  const maxBytes = Math.min(options.maxBytes ?? MAX_BLOCK_BYTES - 4096, MAX_BLOCK_BYTES - 4096);
  const lookup = new Map(credentials);
  const writes = new Map<string, CredentialRecord>();
  const kept: Uint8Array[] = [];
  const keptIds = new Set<string>();
  const rejected: { index: number; error: SaylauError }[] = [];
  const time = Math.max(options.time, tip.header.time);
  let state = tip.state;
  let bytes = 0;
  for (const [index, tx] of candidates.entries()) {
    if (kept.length >= maxTxs || bytes + tx.length + 8 > maxBytes) break;
    try {
      const id = toHex(txId(tx));
      if (keptIds.has(id))
        throw new SaylauError("ledger/duplicate_tx", "the same transaction twice in one block");
      const result = applyTransactions(ctx, state, [tx], lookup, time, options);
      keptIds.add(id);
      state = result.state;
      for (const [k, v] of result.writes) {
        lookup.set(k, v);
        writes.set(k, v);
      }
      kept.push(tx);
      bytes += tx.length + 8;
    } catch (err) {
      if (!(err instanceof SaylauError)) throw err;
      rejected.push({ index, error: err });
    }
  }
  const height = tip.header.height + 1;
  state = { ...state, height };
  const appended = appendLeaves(
    tip.frontier,
    kept.map((t) => txId(t)),
  );
  const header: BlockHeader = {
    electionId: ctx.electionId,
    height,
    prevHash: tip.hash,
    time,
    proposer: options.proposer,
    txCount: kept.length,
    logSize: appended.frontier.size,
    logRoot: frontierRoot(appended.frontier),
    stateHash: stateHash(state),
  };
  const block = { header, txs: kept };
  const hash = headerHash(header);
  return {
    block,
    hash,
    tip: { header, hash, state, frontier: appended.frontier },
    writes,
    rejected,
  };
}

function blockError(height: number, code: string, message: string): SaylauError {
  return new SaylauError(code, `block ${height}: ${message}`, { height });
}

/**
 * The replica's and auditor's side: the block must extend the tip, every transaction must
 * apply, and every header field must be what the transactions imply.
 */
export function validateBlock(
  ctx: LedgerContext,
  tip: ChainTip,
  block: Block,
  credentials: CredentialLookup,
  options: ApplyOptions = {},
): NextBlock {
  const h = block.header;
  const height = tip.header.height + 1;
  if (h.height !== height)
    throw blockError(h.height, "ledger/wrong_height", `expected height ${height}`);
  if (!bytesEqual(h.electionId, ctx.electionId))
    throw blockError(height, "ledger/wrong_election", "another election");
  if (!bytesEqual(h.prevHash, tip.hash))
    throw blockError(height, "ledger/wrong_parent", "prevHash is not the tip's hash");
  if (h.time < tip.header.time)
    throw blockError(height, "ledger/time_regressed", "time is before the parent's");
  if (h.proposer >= ctx.manifest.validators.length) {
    throw blockError(height, "ledger/unknown_proposer", `no validator ${h.proposer}`);
  }
  if (h.txCount !== block.txs.length)
    throw blockError(height, "ledger/bad_tx_count", "txCount is wrong");
  if (block.txs.length === 0)
    throw blockError(height, "ledger/empty_block", "blocks carry at least one transaction");
  if (encodedBlockSize(block) > MAX_BLOCK_BYTES)
    throw blockError(height, "ledger/block_too_large", "block too large");
  let result: ReturnType<typeof applyTransactions>;
  try {
    result = applyTransactions(ctx, tip.state, block.txs, credentials, h.time, options);
  } catch (err) {
    if (err instanceof SaylauError) {
      throw new SaylauError(err.code, `block ${height}: ${err.message}`, {
        ...err.details,
        height,
      });
    }
    throw err;
  }
  const state = { ...result.state, height };
  const appended = appendLeaves(
    tip.frontier,
    block.txs.map((t) => txId(t)),
  );
  if (h.logSize !== appended.frontier.size)
    throw blockError(height, "ledger/bad_log_size", "logSize is wrong");
  if (!bytesEqual(h.logRoot, frontierRoot(appended.frontier))) {
    throw blockError(height, "ledger/bad_log_root", "logRoot does not match the transactions");
  }
  if (!bytesEqual(h.stateHash, stateHash(state))) {
    throw blockError(
      height,
      "ledger/bad_state_hash",
      "stateHash does not match the state after the transactions",
    );
  }
  const hash = headerHash(h);
  return {
    block,
    hash,
    tip: { header: h, hash, state, frontier: appended.frontier },
    writes: result.writes,
  };
}

/** Hex keys -> records, the form the state machine reads. */
export function credentialLookup(
  keys: readonly Uint8Array[],
  records: readonly (CredentialRecord | null)[],
): Map<string, CredentialRecord | null> {
  const map = new Map<string, CredentialRecord | null>();
  keys.forEach((k, i) => {
    map.set(toHex(k), records[i] ?? null);
  });
  return map;
}
