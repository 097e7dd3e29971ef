/**
 * Builds a whole small election in memory, block by block with MemoryLedger, and certifies
 * every block the way a quorum of validators would (ed25519 over commitStatement with the
 * fixture's validator keys), so the auditor and receipts can be tested without a network.
 */
import type { RecordEntry } from "../../../src/audit/source.ts";
import { encodeCertificate } from "../../../src/consensus/certificate.ts";
import { commitStatement } from "../../../src/consensus/statements.ts";
import { utf8 } from "../../../src/crypto/bytes.ts";
import { sign } from "../../../src/crypto/ed25519.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { appendLeaves, frontierRoot } from "../../../src/crypto/merkle.ts";
import { seededRng } from "../../../src/election/rng.ts";
import {
  type Block,
  type BlockHeader,
  encodeBlock,
  headerHash,
} from "../../../src/ledger/block.ts";
import type { ChainTip } from "../../../src/ledger/chain.ts";
import type { ElectionSetup } from "../../../src/ledger/election-setup.ts";
import { MemoryLedger } from "../../../src/ledger/memory-ledger.ts";
import { txId } from "../../../src/ledger/transactions.ts";
import { ballotTx, decryptionTx, phaseTx, registerTx } from "../../../src/ledger/tx-builders.ts";
import { fixtureElection } from "../../support/election-fixture.ts";

export const T0 = 1_780_000_100_000;

/** Canonical commit certificate for `header`, signed by `signers` (validator indices). */
export function certify(
  setup: ElectionSetup,
  header: BlockHeader,
  signers: readonly number[] = [0, 1, 2],
  view = 0,
): Uint8Array {
  const blockHash = headerHash(header);
  const statement = commitStatement(setup.electionId, header.height, view, blockHash);
  return encodeCertificate({
    height: header.height,
    view,
    blockHash,
    signatures: [...signers]
      .sort((a, b) => a - b)
      .map((validator) => ({ validator, sig: sign(setup.validators[validator]!.seed, statement) })),
  });
}

/** One certified record entry for a block. */
export function entryOf(setup: ElectionSetup, block: Block): RecordEntry {
  return {
    height: block.header.height,
    block: encodeBlock(block),
    certificate: certify(setup, block.header),
  };
}

/** A block of exactly these transactions on top of `tip`, with every header field but
 * `stateHash` correct: what a dishonest quorum could certify without the state machine. */
export function forgedBlock(tip: ChainTip, txs: Uint8Array[], stateHash: Uint8Array): Block {
  const appended = appendLeaves(
    tip.frontier,
    txs.map((t) => txId(t)),
  );
  return {
    header: {
      electionId: tip.header.electionId,
      height: tip.header.height + 1,
      prevHash: tip.hash,
      time: tip.header.time + 1000,
      proposer: 0,
      txCount: txs.length,
      logSize: appended.frontier.size,
      logRoot: frontierRoot(appended.frontier),
      stateHash,
    },
    txs,
  };
}

export interface BuiltElection {
  readonly setup: ElectionSetup;
  readonly ctx: ReturnType<typeof fixtureElection>["ctx"];
  readonly ledger: MemoryLedger;
  readonly entries: RecordEntry[];
  /** Height of each phase of the run, for the tamper tests. */
  readonly heights: {
    readonly register: number;
    readonly open: number;
    readonly firstBallots: number;
    readonly close: number;
    readonly lastDecryption: number;
  };
  /** The tip just after polls closed, before any decryption. */
  readonly closedTip: ChainTip;
  /** Every block up to and including the close. */
  readonly closedEntries: RecordEntry[];
  /** Expected counts per contest and option. */
  readonly expected: number[][];
}

/**
 * The fixture election (4 validators, 3 trustees, threshold 2, 6 voters), run to a result:
 * register, open, two blocks of ballots, a revote, close, two decryptions.
 */
export function buildElection(
  options: { ballotsPerBlock?: number; voters?: number; seed?: string } = {},
): BuiltElection {
  const voters = options.voters ?? 6;
  const { setup, ctx } = fixtureElection({ voters, seed: options.seed ?? "fixture" });
  const ledger = new MemoryLedger(ctx);
  const entries: RecordEntry[] = [];
  const rng = seededRng(sha256(utf8(`audit-test/${options.seed ?? "fixture"}`)));
  const commit = (txs: Uint8Array[]) => {
    const next = ledger.propose(
      txs,
      T0 + ledger.tip.header.height * 1000,
      ledger.tip.header.height % 4,
    );
    if (next.rejected.length > 0) throw next.rejected[0]!.error;
    ledger.commit(next.block);
    entries.push(entryOf(setup, next.block));
    return next.block.header.height;
  };
  const id = setup.electionId;
  const register = commit([
    registerTx(
      id,
      setup.authority,
      setup.voters.map((v) => v.publicKey),
    ),
  ]);
  const open = commit([phaseTx(id, setup.authority, "open")]);
  // Voter i picks mayor option i % 3 and council options i % 4 and (i + 1) % 4.
  const choice = (i: number): number[][] => [
    [0, 1, 2].map((j) => (j === i % 3 ? 1 : 0)),
    [0, 1, 2, 3].map((j) => (j === i % 4 || j === (i + 1) % 4 ? 1 : 0)),
  ];
  const ballots = setup.voters.map((v, i) => ballotTx(ctx.crypto, v, choice(i), 1, rng));
  const perBlock = options.ballotsPerBlock ?? Math.ceil(voters / 2);
  let firstBallots = -1;
  for (let i = 0; i < ballots.length; i += perBlock) {
    const h = commit(ballots.slice(i, i + perBlock));
    if (firstBallots < 0) firstBallots = h;
  }
  // Voter 0 revotes: only the later ballot counts.
  const revote: number[][] = [
    [0, 0, 1],
    [0, 0, 1, 1],
  ];
  commit([ballotTx(ctx.crypto, setup.voters[0]!, revote, 2, rng)]);
  const close = commit([phaseTx(id, setup.authority, "closed")]);
  const closedTip = ledger.tip;
  const closedEntries = [...entries];
  const tally = ledger.tip.state.tally;
  commit([decryptionTx(ctx.crypto, setup.trustees[1]!, tally, rng)]);
  const lastDecryption = commit([decryptionTx(ctx.crypto, setup.trustees[0]!, tally, rng)]);

  const expected = [
    [0, 0, 0],
    [0, 0, 0, 0],
  ];
  setup.voters.forEach((_, i) => {
    const c = i === 0 ? revote : choice(i);
    c.forEach((row, k) => {
      row.forEach((v, j) => {
        expected[k]![j]! += v;
      });
    });
  });
  return {
    setup,
    ctx,
    ledger,
    entries,
    heights: { register, open, firstBallots, close, lastDecryption },
    closedTip,
    closedEntries,
    expected,
  };
}
