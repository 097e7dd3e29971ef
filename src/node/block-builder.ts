/**
 * Blocks for the consensus driver: building this node's candidate from verified pending
 * transactions, validating a proposal against the tip (checking any transaction not verified
 * yet), and committing a decided block (ledger, then pool, metrics).
 */
import type { Logger } from "pino";
import { leaderOf } from "../consensus/quorum.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import type { Block } from "../ledger/block.ts";
import { decodeBlock, encodeBlock } from "../ledger/block.ts";
import type { NextBlock } from "../ledger/chain.ts";
import { txId } from "../ledger/transactions.ts";
import type { VerifyPool } from "../verify/verify-pool.ts";
import type { CommitLatency } from "./commit-latency.ts";
import type { ConsensusDriver } from "./consensus-driver.ts";
import type { LedgerReplica } from "./ledger-replica.ts";
import type { Mempool } from "./mempool.ts";
import type { NodeMetrics } from "./metrics.ts";
import { markVerified } from "./verified-ids.ts";

/**
 * Candidate size for a replica that is not the leader: enough to arm its view timer and to
 * make progress should a view change make it leader (it then builds a full block). Kept
 * small because every replica builds one at every height, and again whenever it goes stale:
 * each transaction in it is applied on the main thread only to be thrown away when the
 * leader's block arrives (32 registrations of 100 voters cost each of 20 validators about
 * a second of lattice hashing every 2.5 s while a height waited).
 */
const FALLBACK_CANDIDATE_TXS = 4;

export interface BlockBuilderParts {
  readonly self: number;
  /** NodeConfig.blockMaxTxs */
  readonly blockMaxTxs: number;
  /** NodeConfig.maxClockSkewMs: how far a fresh proposal's time may be from `now()`. */
  readonly maxClockSkewMs: number;
  /** This node's clock, ms since the epoch (Date.now; tests skew it). */
  readonly now?: () => number;
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  readonly replica: LedgerReplica;
  readonly mempool: Mempool;
  readonly pool: VerifyPool;
  /** The node's set of verified ids (see verified-ids.ts). */
  readonly verified: Set<string>;
  readonly driver: Pick<ConsensusDriver, "engine" | "failure" | "propose">;
  readonly latency: CommitLatency;
  readonly isStopping: () => boolean;
  /** Check pending transactions that are not verified yet (Admission.reverifyPending). */
  readonly reverifyPending: () => void;
}

export class BlockBuilder {
  readonly #parts: BlockBuilderParts;
  /** Blocks validated (or built) here at the current height, by hex hash. */
  readonly #validated = new Map<string, NextBlock>();
  /** The candidate handed to the engine: its height and view, whether full, its time and hash. */
  #candidate: {
    height: number;
    view: number;
    full: boolean;
    time: number;
    hash: string;
  } | null = null;
  #building = false;
  /** When this node last committed a block (or started). */
  #lastCommitAt = performance.now();

  readonly #now: () => number;

  constructor(parts: BlockBuilderParts) {
    this.#parts = parts;
    // Read Date.now at each call, not once: a test may move the process clock.
    this.#now = parts.now ?? (() => Date.now());
  }

  get lastCommitAt(): number {
    return this.#lastCommitAt;
  }

  /**
   * The leader of the current view proposes a full block as soon as work is pending; the
   * other replicas hand the engine a small candidate, which arms their view-change timer
   * and is what they propose should a view change make them leader. A candidate whose time
   * is more than half the clock bound old is built again: the engine proposes the candidate
   * it holds when a view change makes this node leader, and the others refuse a block whose
   * time is too far behind their clocks, so a height that waits through view changes must
   * not be left with only stale candidates.
   */
  maybePropose(): void {
    const { replica, mempool, driver, verified, log } = this.#parts;
    if (
      this.#building ||
      this.#parts.isStopping() ||
      mempool.size === 0 ||
      driver.failure !== undefined
    )
      return;
    const engine = driver.engine;
    const height = engine.height;
    if (height !== replica.height + 1) return; // still applying a decision
    const view = engine.pendingView ?? engine.view;
    const leader =
      leaderOf(height, view, replica.ctx.manifest.validators.length) === this.#parts.self;
    const have = this.#candidate;
    const now = this.#now();
    const sameHeight = have !== null && have.height === height;
    // The leader's block for this view is out: the engine proposes once per view, so a
    // rebuilt block would only be thrown away, and a full block rebuilt every time it went
    // stale cost seconds of work while the height waited for votes.
    if (sameHeight && leader && have.full && have.view === view) return;
    const stale = have !== null && now - have.time > this.#parts.maxClockSkewMs / 2;
    if (sameHeight && (have.full || !leader) && !stale) return;
    this.#building = true;
    const limit = leader ? this.#parts.blockMaxTxs : FALLBACK_CANDIDATE_TXS;
    // Only transactions whose checks are done: a block of unchecked ones would make this
    // node check them inline, and the others wait for it past their view timers.
    const candidates = mempool.candidates(limit, (id) => verified.has(id));
    if (candidates.length === 0) {
      this.#building = false;
      // Pending but unchecked (reloaded after a restart, or evicted from the cache): check them.
      this.#parts.reverifyPending();
      return;
    }
    replica
      .propose(candidates, {
        // Never below the parent's (ledger/time_regressed), even if our clock is behind it.
        time: Math.max(now, replica.tip.header.time),
        proposer: this.#parts.self,
        verified,
        maxTxs: limit,
      })
      .then(async (built) => {
        if (built.rejected.length > 0) {
          const dropped = built.rejected.map((r) => ({
            id: toHex(txId(candidates[r.index]!)),
            code: r.error.code,
            message: r.error.message,
          }));
          log.info(
            { dropped: built.rejected.map((r) => r.error.code) },
            "pending transactions no longer apply",
          );
          replica.decoded.forget(dropped.map((d) => d.id));
          await mempool.drop(dropped);
        }
        if (height !== driver.engine.height || built.block.txs.length === 0) return;
        // The replaced candidate's validated copy goes: kept until the next commit, the
        // copies of rebuilt candidates grew with every stale rebuild of a slow height.
        if (this.#candidate !== null) this.#validated.delete(this.#candidate.hash);
        const hash = toHex(built.hash);
        this.#candidate = { height, view, full: leader, time: built.block.header.time, hash };
        this.#validated.set(hash, built);
        driver.propose(encodeBlock(built.block));
      })
      .catch((err: Error) => log.error({ err }, "building a block failed"))
      .finally(() => {
        this.#building = false;
      });
  }

  /**
   * Verify what was not verified yet, then validate the block on top of the tip. `check`
   * runs on the decoded block first, so a refusal it makes costs no verification.
   */
  async #prepare(payload: Uint8Array, check?: (block: Block) => void): Promise<NextBlock> {
    const { verified } = this.#parts;
    const block = decodeBlock(payload);
    check?.(block);
    const ids = block.txs.map((t) => toHex(txId(t)));
    const pending = ids.flatMap((id, i) => (verified.has(id) ? [] : [{ id, tx: block.txs[i]! }]));
    if (pending.length > 0) {
      // Urgent: the block waits on these, and a check already queued for one is shared.
      const verdicts = await this.#parts.pool.verifyAll(
        pending.map((p) => p.tx),
        pending.map((p) => p.id),
        true,
      );
      const bad = verdicts.findIndex((v) => !v.ok);
      if (bad >= 0) {
        throw new SaylauError(
          verdicts[bad]!.code ?? "node/verify_failed",
          verdicts[bad]!.message ?? "invalid transaction",
        );
      }
      for (const p of pending) markVerified(verified, p.id);
    }
    return this.#parts.replica.validate(block, verified);
  }

  /**
   * The driver's `validate` hook: is this proposal valid on top of the tip? (never throws)
   * A fresh proposal must also be fresh: its time within maxClockSkewMs of this node's clock
   * when the proposal reached it, either way. A re-proposal forced by a NEW-VIEW is not
   * held to that: f+1 honest validators found it fresh when they prepared it.
   * `waitedMs`: how long the proposal waited in this node's consensus queue after it
   * arrived; it is not held against the proposal (a busy validator's own backlog once made
   * it refuse fresh proposals, forcing view changes that made the backlog longer).
   */
  async validateProposal(
    height: number,
    blockHash: Uint8Array,
    payload: Uint8Array,
    reproposal = false,
    waitedMs = 0,
  ): Promise<boolean> {
    const { replica, log } = this.#parts;
    const receivedAt = this.#now() - Math.max(0, waitedMs);
    try {
      if (height !== replica.height + 1) return false;
      const next = await this.#prepare(payload, (block) => {
        if (!reproposal) this.#checkTime(block.header.time, receivedAt);
      });
      if (!bytesEqual(next.hash, blockHash)) return false;
      this.#validated.set(toHex(blockHash), next);
      return true;
    } catch (err) {
      log.warn({ height, err: (err as Error).message }, "proposal rejected");
      return false;
    }
  }

  #checkTime(time: number, clock: number): void {
    const bound = this.#parts.maxClockSkewMs;
    const skew = time - clock;
    if (Math.abs(skew) <= bound) return;
    throw new SaylauError(
      "node/proposal_time_skewed",
      `block time ${time} is ${Math.abs(skew)} ms ${skew > 0 ? "ahead of" : "behind"} this node's clock ${clock}, beyond ${bound} ms`,
      { time, clock, bound },
    );
  }

  /** The driver's `commit` hook: a decided block, durable once this resolves. */
  async commit(
    height: number,
    payload: Uint8Array,
    certificate: Uint8Array,
    blockHash: Uint8Array,
  ): Promise<void> {
    const { replica, mempool, metrics } = this.#parts;
    if (height !== replica.height + 1) {
      throw new SaylauError(
        "node/bad_decision",
        `decided height ${height} but the ledger is at ${replica.height}`,
      );
    }
    let next = this.#validated.get(toHex(blockHash));
    if (next === undefined || !bytesEqual(next.block.header.prevHash, replica.tip.hash)) {
      next = await this.#prepare(payload);
    }
    await replica.commit(next, certificate);
    this.#validated.clear();
    this.#candidate = null;
    const ids = next.block.txs.map((t) => toHex(txId(t)));
    replica.decoded.forget(ids);
    this.#lastCommitAt = performance.now();
    await mempool.remove(ids);
    this.#parts.latency.committed(ids);
    metrics.committedTxs.inc(ids.length);
    metrics.committedBlocks.inc();
    this.#parts.log.info({ height, txs: ids.length, pending: mempool.size }, "block committed");
  }
}
