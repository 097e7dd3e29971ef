/**
 * Builds structurally valid blocks (right height, parent, log size and root) around opaque
 * transaction bytes, for testing the store without the election state machine.
 */
import { createHash } from "node:crypto";
import {
  appendLeaves,
  EMPTY_ROOT,
  type Frontier,
  frontierFromNodes,
  frontierRoot,
  leafHash,
} from "../../src/crypto/merkle.ts";
import { type Block, type BlockHeader, headerHash, ZERO_HASH } from "../../src/ledger/block.ts";

export const TEST_ELECTION_ID = new Uint8Array(32).fill(7);

export interface RawTip {
  header: BlockHeader;
  hash: Uint8Array;
  frontier: Frontier;
}

export function rawGenesis(): { block: Block; tip: RawTip } {
  const header: BlockHeader = {
    electionId: TEST_ELECTION_ID,
    height: 0,
    prevHash: ZERO_HASH,
    time: 1_700_000_000_000,
    proposer: 0,
    txCount: 0,
    logSize: 0,
    logRoot: EMPTY_ROOT,
    stateHash: new Uint8Array(32),
  };
  return {
    block: { header, txs: [] },
    tip: { header, hash: headerHash(header), frontier: frontierFromNodes(0, []) },
  };
}

/** Deterministic distinct transaction bytes: tx number n of a run labelled `label`. */
export function rawTx(label: string, n: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`${label}/${n}`).digest());
}

export function rawNext(tip: RawTip, txs: Uint8Array[]): { block: Block; tip: RawTip } {
  const appended = appendLeaves(
    tip.frontier,
    txs.map((t) => leafHash(t)),
  );
  const header: BlockHeader = {
    electionId: tip.header.electionId,
    height: tip.header.height + 1,
    prevHash: tip.hash,
    time: tip.header.time + 1000,
    proposer: 0,
    txCount: txs.length,
    logSize: appended.frontier.size,
    logRoot: frontierRoot(appended.frontier),
    stateHash: new Uint8Array(32).fill(tip.header.height % 256),
  };
  return {
    block: { header, txs },
    tip: { header, hash: headerHash(header), frontier: appended.frontier },
  };
}
