/**
 * Builds a whole small election in memory, block by block with MemoryLedger, and certifies
 * every block the way a quorum of validators would (ed25519 over commitStatement with the
 * fixture's validator keys), so the auditor and receipts can be tested without a network.
 */
import { auditRecord } from "../../../src/audit/audit.ts";
import { AuditFailure } from "../../../src/audit/errors.ts";
import { MemorySource, type RecordEntry } from "../../../src/audit/source.ts";
import { encodeCertificate } from "../../../src/consensus/certificate.ts";
import { commitStatement } from "../../../src/consensus/statements.ts";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
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
import { ballotTx, decryptionTx, revokeTx } from "../../../src/ledger/tx-builders.ts";
import {
  approvalTx,
  extensionTx,
  FIXTURE_CONTESTS,
  fixtureElection,
  registrationTxs,
} from "../../support/election-fixture.ts";

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
export function forgedBlock(
  tip: ChainTip,
  txs: Uint8Array[],
  stateHash: Uint8Array,
  time = tip.header.time + 1000,
): Block {
  const appended = appendLeaves(
    tip.frontier,
    txs.map((t) => txId(t)),
  );
  return {
    header: {
      electionId: tip.header.electionId,
      height: tip.header.height + 1,
      prevHash: tip.hash,
      time,
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
  /** Height of each step of the run, for the tamper tests. */
  readonly heights: {
    readonly approve: number;
    readonly register: number;
    /** The first block in the voting window: the polls open by its time. */
    readonly open: number;
    readonly firstBallots: number;
    readonly extend: number;
    /** The revote, and the revocation of the last voter (if there are 3 voters or more). */
    readonly revote: number;
    /** The first block after the close: the first decryptions. */
    readonly close: number;
    readonly lastDecryption: number;
  };
  /** The tip just before the polls close (after the last ballot), before any decryption. */
  readonly closedTip: ChainTip;
  /** Every block up to closedTip. */
  readonly closedEntries: RecordEntry[];
  /** Voters whose credential the registrar revoked after they voted. */
  readonly revoked: readonly number[];
  /** Expected result per district: counts per contest of its style and option. */
  readonly expected: number[][][];
}

/** Two regions, three districts: R1 = {D1, D2}, R2 = {D3}. */
export const RECORD_REGIONS = [
  {
    id: "R1",
    name: "Region 1",
    districts: [
      { id: "D1", name: "District 1" },
      { id: "D2", name: "District 2" },
    ],
  },
  { id: "R2", name: "Region 2", districts: [{ id: "D3", name: "District 3" }] },
];

/** The mayor is elected everywhere; the council (contest 1) only in region R1. */
export const RECORD_SCOPES = [
  { level: "national" as const, index: 0 },
  { level: "region" as const, index: 0 },
];

/** Any two of three commission members decide. */
export const RECORD_COMMISSION = { members: 3, threshold: 2 };

/** Block times of the run: the polls open at T0 + 1500 and close at T0 + 5500, extended to T0 + 7000. */
export const RECORD_SCHEDULE = {
  opensAt: T0 + 1500,
  closesAt: T0 + 5500,
  timeZone: "Asia/Almaty",
};
export const RECORD_EXTENDED_CLOSE = T0 + 7000;

/**
 * The fixture's contests in two regions and three districts (4 validators, 3 trustees,
 * threshold 2, a 2-of-3 commission, 6 voters by default, registered round robin to D1, D2, D3), run to a result:
 * approve, register, two blocks of ballots, an extension of the polls, a revote after the
 * original close with a revocation, then after the extended close two blocks of decryptions.
 */
export function buildElection(
  options: { ballotsPerBlock?: number; voters?: number; seed?: string } = {},
): BuiltElection {
  const voters = options.voters ?? 6;
  const { setup, ctx } = fixtureElection({
    voters,
    seed: options.seed ?? "fixture",
    regions: RECORD_REGIONS,
    scopes: RECORD_SCOPES,
    schedule: RECORD_SCHEDULE,
    commission: RECORD_COMMISSION,
  });
  const ledger = new MemoryLedger(ctx);
  const entries: RecordEntry[] = [];
  const rng = seededRng(sha256(utf8(`audit-test/${options.seed ?? "fixture"}`)));
  const commit = (txs: Uint8Array[], time: number) => {
    const next = ledger.propose(txs, time, ledger.tip.header.height % 4);
    if (next.rejected.length > 0) throw next.rejected[0]!.error;
    ledger.commit(next.block);
    entries.push(entryOf(setup, next.block));
    return next.block.header.height;
  };
  const approve = commit([approvalTx(setup)], T0);
  const register = commit(registrationTxs(setup), T0 + 1000);
  const districtOf = (i: number) => setup.voterDistricts[i]!;
  // Voter i picks mayor option i % 3 and, in R1, council options i % 4 and (i + 1) % 4.
  const full = (i: number): number[][] => [
    [0, 1, 2].map((j) => (j === i % 3 ? 1 : 0)),
    [0, 1, 2, 3].map((j) => (j === i % 4 || j === (i + 1) % 4 ? 1 : 0)),
  ];
  const styled = (rows: number[][], d: number) =>
    ctx.geography.districts[d]!.style.map((c) => rows[c]!);
  const ballots = setup.voters.map((v, i) =>
    ballotTx(ctx, v, districtOf(i), styled(full(i), districtOf(i)), 1, rng),
  );
  const perBlock = options.ballotsPerBlock ?? Math.ceil(voters / 2);
  let firstBallots = -1;
  let time = T0 + 2000;
  // Every ballot block fits in the window [opensAt, closesAt), however many there are.
  const ballotBlocks = Math.ceil(ballots.length / perBlock);
  const step = Math.min(1000, Math.floor((RECORD_SCHEDULE.closesAt - time) / ballotBlocks));
  for (let i = 0; i < ballots.length; i += perBlock) {
    const h = commit(ballots.slice(i, i + perBlock), time);
    time += step;
    if (firstBallots < 0) firstBallots = h;
  }
  // The commission extends the polls; the revote below comes after the original close.
  const extend = commit([extensionTx(setup, RECORD_EXTENDED_CLOSE)], time);
  // Voter 0 revotes: only the later ballot counts. The last voter's credential is revoked.
  const revote: number[][] = [
    [0, 0, 1],
    [0, 0, 1, 1],
  ];
  const revoked = voters >= 3 ? [voters - 1] : [];
  const revokes = revoked.map((i) => {
    const region = ctx.geography.districts[districtOf(i)]!.region;
    return revokeTx(setup.electionId, setup.registrars[region]!, region, [
      setup.voters[i]!.publicKey,
    ]);
  });
  const revoteAt = RECORD_SCHEDULE.closesAt + 500;
  const revoteHeight = commit(
    [
      ballotTx(ctx, setup.voters[0]!, districtOf(0), styled(revote, districtOf(0)), 2, rng),
      ...revokes,
    ],
    revoteAt,
  );
  const closedTip = ledger.tip;
  const closedEntries = [...entries];
  const decrypt = (trustee: number) =>
    closedTip.state.districts.flatMap((d, i) =>
      d.tally.ballotCount === 0
        ? []
        : [decryptionTx(ctx, setup.trustees[trustee]!, i, d.tally, rng)],
    );
  const close = commit(decrypt(1), RECORD_EXTENDED_CLOSE);
  const lastDecryption = commit(decrypt(0), RECORD_EXTENDED_CLOSE + 1000);

  const expected = ctx.geography.districts.map((d) =>
    d.style.map((c) => new Array<number>(FIXTURE_CONTESTS[c]!.options.length).fill(0)),
  );
  setup.voters.forEach((_, i) => {
    if (revoked.includes(i)) return;
    const d = districtOf(i);
    styled(i === 0 ? revote : full(i), d).forEach((row, k) => {
      row.forEach((v, j) => {
        expected[d]![k]![j]! += v;
      });
    });
  });
  return {
    setup,
    ctx,
    ledger,
    entries,
    heights: {
      approve,
      register,
      open: firstBallots,
      firstBallots,
      extend,
      revote: revoteHeight,
      close,
      lastDecryption,
    },
    closedTip,
    closedEntries,
    revoked,
    expected,
  };
}

/** The tip after each height of the record (index 0: genesis), replayed without re-verifying. */
export function replayTips(built: BuiltElection): ChainTip[] {
  const ledger = new MemoryLedger(built.ctx);
  const tips = [ledger.tip];
  const verified = new Set(built.ledger.blocks.flatMap((b) => b.txs.map((t) => toHex(txId(t)))));
  for (const block of built.ledger.blocks.slice(1)) {
    ledger.commit(block, { verified });
    tips.push(ledger.tip);
  }
  return tips;
}

/** Audits entries on one thread: "code@height" of the first failure, or "clean". */
export async function auditVerdict(
  built: BuiltElection,
  entries: readonly RecordEntry[],
  manifest: Uint8Array = built.setup.manifestBytes,
): Promise<string> {
  try {
    await auditRecord(new MemorySource(manifest, [...entries]), { workers: 0 });
    return "clean";
  } catch (err) {
    if (!(err instanceof AuditFailure)) throw err;
    return `${err.code}@${err.height}`;
  }
}

/**
 * Audits the record up to height h followed by a certified block on tips[h] at `time`
 * holding `txs`, with the given stateHash (default: the unchanged state's).
 */
export function auditWithBlock(
  built: BuiltElection,
  tips: readonly ChainTip[],
  h: number,
  txs: Uint8Array[],
  time: number,
  stateHash: Uint8Array = tips[h]!.header.stateHash,
): Promise<string> {
  const block = forgedBlock(tips[h]!, txs, stateHash, time);
  return auditVerdict(built, [...built.entries.slice(0, h), entryOf(built.setup, block)]);
}
