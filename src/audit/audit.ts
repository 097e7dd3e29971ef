/**
 * The auditor: replays an election's record from genesis, trusting only the manifest, and
 * stops at the first thing that does not verify, naming its height and a stable code.
 *
 * Per height, in this order (so each kind of tampering has one predictable code):
 *   1. heights are contiguous from 1 (audit/gap, audit/out_of_order), the block decodes
 *      (audit/bad_block) and its header names the height it is stored at (audit/out_of_order);
 *   2. the commit certificate is present, decodes, is for exactly this header
 *      (audit/certificate_mismatch) and carries a quorum of valid validator signatures
 *      (audit/bad_certificate, the consensus/cert_* code as `cause`);
 *   3. every transaction decodes, names the election and is correctly signed, and every
 *      ballot's proofs verify (the verifier's codes: ledger/bad_signature, election/bad_proof...);
 *   4. validateBlock: parent hash, time, proposer, every transaction applies in order
 *      (decryption shares verified against the tally there), logSize, logRoot and stateHash
 *      (its ledger/* and election/* codes).
 * Step 3 is the dominant cost, so it runs ahead of the replay on a pool of worker threads
 * (many blocks in flight, ballot proofs batch-verified per 64 transactions); step 4 is then
 * told which transactions are verified so it does not check them twice.
 *
 * At the end, if the election has a result, every accepted decryption share is verified
 * again against the final tally and the counts recomputed from them (audit/bad_share,
 * audit/result_mismatch); every item of equivocation evidence must verify against the
 * manifest's validators (audit/bad_evidence); and if the source is a live node, an RFC 9162 consistency proof
 * between the head it reported before the replay and the last replayed head is checked
 * against the roots the replay computed (audit/inconsistent), so the node cannot have
 * served one history and be building on another.
 */
import { availableParallelism } from "node:os";
import { certificateProblem, decodeCertificate } from "../consensus/certificate.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { verifyConsistency } from "../crypto/merkle.ts";
import { isSaylauError, SaylauError } from "../errors.ts";
import { type Block, type BlockHeader, decodeBlock, headerHash } from "../ledger/block.ts";
import type { CeremonyRecord } from "../ledger/ceremony-record.ts";
import { ledgerContext } from "../ledger/context.ts";
import { MemoryLedger } from "../ledger/memory-ledger.ts";
import { type ResultsView, resultsOf } from "../ledger/results.ts";
import { decodeTransaction, txId } from "../ledger/transactions.ts";
import { VerifyPool } from "../verify/verify-pool.ts";
import { type TxVerdict, verifyTransactions } from "../verify/verify-transactions.ts";
import { checkCeremony } from "./ceremony-check.ts";
import { AUDIT_CODES, AuditFailure } from "./errors.ts";
import { checkEvidence, type EvidenceReport } from "./evidence.ts";
import { checkResults } from "./results-check.ts";
import type { RecordEntry, RecordSource, SourceHead } from "./source.ts";

export interface AuditOptions {
  /**
   * Worker threads verifying signatures and proofs. Default os.availableParallelism();
   * 0 verifies on the calling thread (one thread in all, as the benchmark compares).
   */
  readonly workers?: number;
  /** Transactions handed to the workers ahead of the block being validated. */
  readonly lookaheadTxs?: number;
  /** Called after every verified block. */
  readonly onProgress?: (progress: AuditProgress) => void;
}

export interface AuditProgress {
  readonly height: number;
  /** The source's head when the audit started (a live node may grow past it). */
  readonly total: number;
  readonly ballots: number;
  readonly elapsedMs: number;
}

export interface AuditReport {
  readonly source: string;
  readonly electionId: string;
  readonly electionName: string;
  /** Blocks replayed after genesis. */
  readonly blocks: number;
  readonly head: {
    readonly height: number;
    readonly hash: string;
    readonly logSize: number;
    readonly logRoot: string;
  };
  readonly transactions: {
    readonly commission: number;
    readonly register: number;
    readonly revoke: number;
    readonly ballot: number;
    readonly decryption: number;
    readonly total: number;
  };
  readonly ballotsVerified: number;
  readonly ballotsPerSecond: number;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly phase: string;
  readonly credentials: number;
  readonly voters: number;
  /**
   * Registrations, counts per district and region and in total, recomputed by the replay,
   * each district's result re-verified from its shares.
   */
  readonly results: ResultsView;
  /**
   * The key ceremony's transcript, verified against the manifest; null when the record does
   * not carry it (the trustees' ceremony is then unverified: the command line fails).
   */
  readonly ceremony: CeremonyRecord | null;
  /** The record's equivocation evidence: items, and the validators it proves equivocated. */
  readonly evidence: EvidenceReport;
  /** The live-node consistency check; null for a source with one fixed head. */
  readonly consistency: {
    readonly fromSize: number;
    readonly toSize: number;
    readonly proofLength: number;
  } | null;
}

/** Verdicts for one block's transactions, started when the block is read. */
type VerdictThunk = () => Promise<TxVerdict[]>;

interface Verifier {
  start(txs: readonly Uint8Array[]): VerdictThunk;
  close(): Promise<void>;
}

function poolVerifier(manifest: Uint8Array, workers: number): Verifier {
  const pool = new VerifyPool({ manifest, workers });
  return {
    start(txs) {
      const verdicts = pool.verifyAll(txs);
      // A replay that stops early closes the pool, rejecting what is still queued; nobody
      // awaits those verdicts any more, so they must not surface as unhandled rejections.
      verdicts.catch(() => {});
      return () => verdicts;
    },
    close: () => pool.close(),
  };
}

function inlineVerifier(ctx: Parameters<typeof verifyTransactions>[0]): Verifier {
  return {
    // Deferred to when the block is validated: on one thread there is nothing to overlap.
    start: (txs) => async () => verifyTransactions(ctx, txs),
    close: async () => {},
  };
}

interface Pending {
  readonly entry: RecordEntry;
  readonly block: Block | null;
  readonly decodeError: SaylauError | null;
  readonly verdicts: VerdictThunk | null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function auditRecord(
  source: RecordSource,
  options: AuditOptions = {},
): Promise<AuditReport> {
  const started = performance.now();
  const manifestBytes = await source.manifest();
  let ctx: ReturnType<typeof ledgerContext>;
  try {
    // Decodes the manifest, checks its keys, and verifies the trustees' key ceremony
    // (Schnorr proofs, joint key): everything after genesis is trusted only through it.
    ctx = ledgerContext(manifestBytes);
  } catch (err) {
    throw new AuditFailure(
      0,
      AUDIT_CODES.badManifest,
      `the manifest does not verify: ${messageOf(err)}`,
      {
        cause: isSaylauError(err) ? err.code : undefined,
      },
    );
  }
  const ceremony = await checkCeremony(ctx.manifest, await source.ceremony());
  const validators = ctx.manifest.validators.map((v) => v.publicKey);
  const startHead: SourceHead = await source.head();
  const workers = Math.max(0, options.workers ?? availableParallelism());
  const lookaheadTxs = options.lookaheadTxs ?? Math.max(1, workers) * 64 * 4;
  const verifier = workers === 0 ? inlineVerifier(ctx) : poolVerifier(manifestBytes, workers);
  const ledger = new MemoryLedger(ctx);
  const counts = { commission: 0, register: 0, revoke: 0, ballot: 0, decryption: 0, total: 0 };
  // The header the replay computed at the node's starting head, for the consistency check.
  let startHeader: BlockHeader | null = startHead.height === 0 ? ledger.tip.header : null;

  const prepare = (entry: RecordEntry): Pending => {
    try {
      const block = decodeBlock(entry.block);
      return { entry, block, decodeError: null, verdicts: verifier.start(block.txs) };
    } catch (err) {
      const e = isSaylauError(err) ? err : new SaylauError("codec/malformed", messageOf(err));
      return { entry, block: null, decodeError: e, verdicts: null };
    }
  };

  const iterator = source.entries()[Symbol.asyncIterator]();
  const queue: Pending[] = [];
  let queuedTxs = 0;
  let exhausted = false;
  const fill = async (): Promise<void> => {
    while (!exhausted && (queue.length === 0 || queuedTxs < lookaheadTxs)) {
      const next = await iterator.next();
      if (next.done === true) {
        exhausted = true;
        return;
      }
      const item = prepare(next.value);
      queue.push(item);
      queuedTxs += item.block?.txs.length ?? 0;
    }
  };

  try {
    let expected = 1;
    for (;;) {
      await fill();
      const item = queue.shift();
      if (item === undefined) break;
      queuedTxs -= item.block?.txs.length ?? 0;
      await checkBlock(item, expected);
      expected++;
      options.onProgress?.({
        height: item.entry.height,
        total: Math.max(startHead.height, item.entry.height),
        ballots: counts.ballot,
        elapsedMs: performance.now() - started,
      });
    }
  } finally {
    await iterator.return?.();
    await verifier.close();
  }

  async function checkBlock(item: Pending, expected: number): Promise<void> {
    const { entry } = item;
    const height = entry.height;
    if (height > expected) {
      throw new AuditFailure(
        expected,
        AUDIT_CODES.gap,
        `block ${expected} is missing: the record goes on at height ${height}`,
        { next: height },
      );
    }
    if (height < expected) {
      throw new AuditFailure(
        expected,
        AUDIT_CODES.outOfOrder,
        `height ${height} comes where ${expected} was due`,
        { found: height },
      );
    }
    if (item.block === null) {
      throw new AuditFailure(
        height,
        AUDIT_CODES.badBlock,
        `the block does not decode: ${item.decodeError?.message}`,
        { cause: item.decodeError?.code },
      );
    }
    const block = item.block;
    if (block.header.height !== height) {
      throw new AuditFailure(
        height,
        AUDIT_CODES.outOfOrder,
        `the block held at height ${height} is block ${block.header.height}`,
        { found: block.header.height },
      );
    }

    if (entry.certificate === null) {
      throw new AuditFailure(
        height,
        AUDIT_CODES.missingCertificate,
        "the block has no certificate",
      );
    }
    let certificate: ReturnType<typeof decodeCertificate>;
    try {
      certificate = decodeCertificate(entry.certificate);
    } catch (err) {
      throw new AuditFailure(
        height,
        AUDIT_CODES.badCertificate,
        `the certificate does not decode: ${messageOf(err)}`,
        { cause: isSaylauError(err) ? err.code : undefined },
      );
    }
    const hash = headerHash(block.header);
    if (certificate.height !== height || !bytesEqual(certificate.blockHash, hash)) {
      throw new AuditFailure(
        height,
        AUDIT_CODES.certificateMismatch,
        `the certificate finalises block ${certificate.height} ${toHex(certificate.blockHash)}, not this header (${toHex(hash)})`,
      );
    }
    const problem = certificateProblem(ctx.electionId, validators, certificate);
    if (problem !== null) {
      throw new AuditFailure(
        height,
        AUDIT_CODES.badCertificate,
        `${problem.code}: ${problem.message}`,
        {
          cause: problem.code,
          ...problem.details,
        },
      );
    }

    const verdicts = await item.verdicts!();
    const verified = new Set<string>();
    for (const [index, verdict] of verdicts.entries()) {
      if (!verdict.ok) {
        throw new AuditFailure(
          height,
          verdict.code ?? "audit/bad_transaction",
          `transaction ${index}: ${verdict.message ?? "does not verify"}`,
          { txIndex: index },
        );
      }
      verified.add(toHex(txId(block.txs[index]!)));
    }

    const before = ledger.tip.state;
    try {
      ledger.commit(block, { verified });
    } catch (err) {
      if (!isSaylauError(err)) throw err;
      throw new AuditFailure(height, err.code, err.message, { ...err.details });
    }
    // Count transactions by type. Ballots are counted from what the block did to the state;
    // only a block with other transactions too is decoded again to sort them.
    const ballots = ledger.tip.state.ballots - before.ballots;
    counts.ballot += ballots;
    counts.total += block.txs.length;
    if (ballots < block.txs.length) {
      for (const bytes of block.txs) {
        const type = decodeTransaction(bytes).type;
        if (type !== "ballot") counts[type] += 1;
      }
    }
    if (height === startHead.height) startHeader = block.header;
  }

  const tip = ledger.tip;
  const state = tip.state;
  const last = tip.header.height;

  // Each result is part of the state every replica computed; recompute it from the shares
  // independently of the incremental path that produced it.
  checkResults(ctx, state, last);

  const evidence = await checkEvidence(source.evidence(), ctx.electionId, ctx.manifest.validators);
  const consistency = await checkConsistency(source, startHead, startHeader, tip.header);
  const elapsedMs = performance.now() - started;
  return {
    source: source.description,
    electionId: toHex(ctx.electionId),
    electionName: ctx.manifest.name,
    blocks: last,
    head: {
      height: last,
      hash: toHex(tip.hash),
      logSize: tip.header.logSize,
      logRoot: toHex(tip.header.logRoot),
    },
    transactions: counts,
    ballotsVerified: counts.ballot,
    ballotsPerSecond: counts.ballot / (elapsedMs / 1000),
    elapsedMs,
    workers,
    phase: state.phase,
    credentials: state.credentials,
    voters: state.voters,
    results: resultsOf(ctx, state),
    ceremony,
    evidence,
    consistency,
  };
}

/**
 * Live node only: the head the node reported before the replay must be a prefix of the
 * last head replayed, by an RFC 9162 proof the node supplies and roots the replay computed.
 */
async function checkConsistency(
  source: RecordSource,
  startHead: SourceHead,
  startHeader: BlockHeader | null,
  endHeader: BlockHeader,
): Promise<AuditReport["consistency"]> {
  if (source.consistency === undefined) return null;
  const end = endHeader.height;
  if (startHeader === null) {
    throw new AuditFailure(
      end + 1,
      AUDIT_CODES.truncated,
      `the source reported head ${startHead.height} but served blocks only up to ${end}`,
      { reported: startHead.height },
    );
  }
  if (startHead.logSize !== null && startHead.logSize !== startHeader.logSize) {
    throw new AuditFailure(
      startHead.height,
      AUDIT_CODES.inconsistent,
      `the source reported log size ${startHead.logSize} at height ${startHead.height}, the replay computed ${startHeader.logSize}`,
    );
  }
  const endNow = await source.head();
  if (endNow.height < end) {
    throw new AuditFailure(
      end,
      AUDIT_CODES.inconsistent,
      `the source's head went back from ${end} to ${endNow.height} during the audit`,
    );
  }
  const fromSize = startHeader.logSize;
  const toSize = endHeader.logSize;
  // RFC 9162 defines no proof from the empty tree, and equal sizes need none: the replay
  // itself produced both roots from one chain of blocks.
  if (fromSize === 0 || fromSize === toSize) return { fromSize, toSize, proofLength: 0 };
  const answer = await source.consistency(fromSize, toSize);
  const fail = (reason: string) =>
    new AuditFailure(
      end,
      AUDIT_CODES.inconsistent,
      `consistency from log size ${fromSize} to ${toSize}: ${reason}`,
      {
        fromSize,
        toSize,
      },
    );
  if (!bytesEqual(answer.fromRoot, startHeader.logRoot)) {
    throw fail("the node's root at the start differs from the replayed one");
  }
  if (!bytesEqual(answer.toRoot, endHeader.logRoot)) {
    throw fail("the node's root at the end differs from the replayed one");
  }
  const result = verifyConsistency(
    fromSize,
    toSize,
    startHeader.logRoot,
    endHeader.logRoot,
    answer.proof,
  );
  if (!result.ok) throw fail(`the proof does not verify (${result.reason})`);
  return { fromSize, toSize, proofLength: answer.proof.length };
}
