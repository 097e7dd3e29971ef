/**
 * PBFT as a pure state machine, one instance per height, shaped like etcd's raft library:
 * every input (step, tick, propose, validated, deliverDecided, restore) returns the actions
 * the caller must carry out, in order. No clock, I/O, randomness or timers in here; time
 * only arrives through tick().
 *
 * Protocol (docs/CONSENSUS.md has the argument):
 *   PRE-PREPARE(h, v, payload) from leader (h+v) mod N -> each replica asks the validity
 *   predicate, then PREPARE(h, v, hash) -> with q matching prepares it is prepared and
 *   sends COMMIT(h, v, hash) -> q matching commits decide the block; they are its
 *   certificate. On timeout: VIEW-CHANGE(h, v+1, highest prepared certificate); the new
 *   leader gathers q and sends NEW-VIEW with them as proof, re-proposing the highest
 *   prepared block if there is one.
 */
import { decodeWith, encodeWith } from "../codec/schema.ts";
import { bytesEqual, fromHex, toHex } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import type { CommitCertificate } from "./certificate.ts";
import { certificateProblem } from "./certificate.ts";
import {
  type CheckContext,
  checkNewView,
  checkPrePrepare,
  checkViewChange,
  checkVote,
} from "./check-message.ts";
import { type EquivocationPhase, makeEvidence, statementOrder } from "./evidence.ts";
import { addVote, HeightState, signedKey, sortedSignatures } from "./height-state.ts";
import {
  type CommitMessage,
  type ConsensusMessage,
  type MessageCodecs,
  messageCodecs,
  type NewViewMessage,
  type PrePrepareMessage,
  type PreparedCertificate,
  type PrepareMessage,
  type ViewChangeMessage,
} from "./messages.ts";
import { faultTolerance, leaderOf, quorumSize } from "./quorum.ts";
import { commitStatement, consensusStatement } from "./statements.ts";
import {
  type Action,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_TIMEOUTS,
  type DropReason,
  type EngineConfig,
  type TimeoutConfig,
} from "./types.ts";
import { type WalCodec, type WalRecord, walCodec } from "./wal.ts";

/** Messages for heights at most this far ahead are kept and replayed on arrival there. */
const FUTURE_HEIGHT_WINDOW = 8;
/** Per sender, so a Byzantine validator cannot crowd out the others. */
const FUTURE_BUFFER_PER_SENDER = 64;
/** Views further ahead than this are refused, bounding per-height state. */
const MAX_VIEWS_AHEAD = 1000;

/** A decided block handed over by catch-up. */
export interface DecidedBlock {
  readonly height: number;
  readonly payload: Uint8Array;
  readonly certificate: CommitCertificate;
}

interface Buffered {
  readonly message: ConsensusMessage;
  readonly blockHash: Uint8Array | null;
}

export class ConsensusEngine {
  readonly codecs: MessageCodecs;
  readonly wal: WalCodec;
  /** Distinct validators needed for every quorum (see quorum.ts). */
  readonly quorum: number;
  readonly faultTolerance: number;

  private readonly config: EngineConfig;
  private readonly n: number;
  private readonly timeouts: TimeoutConfig;
  private readonly check: CheckContext;

  private currentHeight: number;
  private currentView = 0;
  /** The view this replica has asked to move to and awaits a NEW-VIEW for; null if none. */
  private target: number | null = null;
  private hs = new HeightState();
  /** This node's own proposal for the current height, from propose(). */
  private candidate: Uint8Array | null = null;
  /** Everything this replica signed at the current height, by "view/phase". */
  private own = new Map<string, ConsensusMessage>();
  private now = 0;
  private deadline: number | null = null;
  private lastResend = 0;
  private lastFetch: { fromHeight: number; at: number } | null = null;
  private futureSince: number | null = null;
  private future = new Map<number, Buffered[]>();
  private futureCountBySender = new Map<number, number>();
  private out: Action[] = [];

  constructor(config: EngineConfig) {
    const n = config.validators.length;
    if (n < 1 || !Number.isInteger(config.self) || config.self < 0 || config.self >= n) {
      throw new SaylauError("consensus/bad_config", "self must index the validator list", {
        self: config.self,
        validators: n,
      });
    }
    if (config.electionId.length !== 32) {
      throw new SaylauError("consensus/bad_config", "electionId must be 32 bytes");
    }
    if (!Number.isSafeInteger(config.startHeight) || config.startHeight < 1) {
      throw new SaylauError("consensus/bad_config", "startHeight must be a positive integer");
    }
    this.config = config;
    this.n = n;
    this.faultTolerance = faultTolerance(n);
    this.quorum =
      config.unsafeTestMutation === "quorum-2f"
        ? Math.max(1, 2 * this.faultTolerance)
        : quorumSize(n);
    this.timeouts = config.timeouts ?? DEFAULT_TIMEOUTS;
    this.codecs = messageCodecs({
      validatorCount: n,
      maxPayloadBytes: config.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    });
    this.wal = walCodec(this.codecs);
    this.check = {
      electionId: config.electionId,
      validators: config.validators,
      verify: config.verify,
      proposalHash: config.proposalHash,
      quorum: this.quorum,
    };
    this.currentHeight = config.startHeight;
  }

  get height(): number {
    return this.currentHeight;
  }

  get view(): number {
    return this.currentView;
  }

  /** The view this replica is trying to move to, or null while it works in `view`. */
  get pendingView(): number | null {
    return this.target;
  }

  /** When tick() next has something to do (virtual ms), or null when idle. */
  nextWakeup(): number | null {
    const times: number[] = [];
    if (this.deadline !== null) times.push(this.deadline);
    if (this.hasPendingWork()) times.push(this.lastResend + this.timeouts.baseMs);
    if (this.futureSince !== null) times.push(this.futureSince + this.fetchDelay());
    return times.length === 0 ? null : Math.min(...times);
  }

  // ---------------------------------------------------------------- inputs

  /** A message received from the network, as bytes. */
  step(bytes: Uint8Array): Action[] {
    this.out = [];
    let message: ConsensusMessage;
    try {
      message = decodeWith(this.codecs.message, bytes, this.codecs.maxMessageBytes);
    } catch (err) {
      if (!(err instanceof SaylauError)) throw err;
      return this.dropOnly("consensus/malformed", `${err.code}: ${err.message}`);
    }
    this.receive(message);
    return this.flush();
  }

  /** Virtual time in ms; drives view timeouts, retransmission and catch-up retries. */
  tick(now: number): Action[] {
    this.out = [];
    if (now > this.now) this.now = now;
    if (this.deadline !== null && this.now >= this.deadline) {
      this.startViewChange(this.level() + 1);
    }
    if (this.hasPendingWork() && this.now - this.lastResend >= this.timeouts.baseMs) {
      this.resendOwn();
    }
    if (this.futureSince !== null && this.now - this.futureSince >= this.fetchDelay()) {
      this.futureSince = this.now;
      this.requestFetch();
    }
    this.armTimer();
    return this.flush();
  }

  /**
   * This node's block for the current height (it replaces any earlier one). Proposed when
   * this replica leads a view whose proof does not force a re-proposal. Cleared when the
   * height is decided: the node proposes again for the next height after applying `decide`.
   */
  propose(payload: Uint8Array): Action[] {
    this.out = [];
    const max = this.config.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    if (payload.length > max) {
      return this.dropOnly("consensus/payload_too_large", `${payload.length} bytes, limit ${max}`);
    }
    this.candidate = payload;
    this.maybePropose();
    this.armTimer();
    return this.flush();
  }

  /** The validity predicate's answer to a `validate` action. */
  validated(height: number, blockHash: Uint8Array, valid: boolean): Action[] {
    this.out = [];
    if (height !== this.currentHeight) {
      return this.dropOnly("consensus/stale_height", `validation for height ${height}`);
    }
    const hex = toHex(blockHash);
    if (this.hs.validity.get(hex) !== "pending") {
      return this.dropOnly("consensus/unknown_proposal", `no validation pending for ${hex}`);
    }
    this.hs.validity.set(hex, valid ? "valid" : "invalid");
    this.maybePrepare(this.currentView);
    return this.flush();
  }

  /**
   * A decided block from catch-up (feed them in height order). Its certificate is checked
   * against the validator set; the predicate is not asked again: q validators, at least
   * q - f of them honest, already committed it.
   */
  deliverDecided(block: DecidedBlock): Action[] {
    this.out = [];
    if (block.height < this.currentHeight) {
      return this.dropOnly("consensus/stale_height", `block ${block.height} already decided`);
    }
    if (block.height > this.currentHeight) {
      return this.dropOnly(
        "consensus/future_height",
        `block ${block.height}, at ${this.currentHeight}`,
      );
    }
    const cert = block.certificate;
    const problem =
      cert.height !== block.height
        ? new SaylauError("consensus/cert_wrong_height", "certificate is for another height")
        : certificateProblem(
            this.config.electionId,
            this.config.validators,
            cert,
            this.config.verify,
            this.quorum,
          );
    if (problem !== null) {
      return this.dropOnly("consensus/bad_certificate", `${problem.code}: ${problem.message}`);
    }
    if (!bytesEqual(this.config.proposalHash(block.payload), cert.blockHash)) {
      return this.dropOnly(
        "consensus/bad_certificate",
        "payload does not hash to the certified block",
      );
    }
    this.decide(block.payload, cert);
    return this.flush();
  }

  /**
   * Rebuilds this replica from its WAL after a restart (call once, right after construction,
   * with the records of heights >= startHeight in the order they were persisted). Returns the
   * retransmission of what it had signed; it signs nothing new for a (view, phase) it signed.
   */
  restore(records: readonly Uint8Array[]): Action[] {
    this.out = [];
    if (this.config.unsafeTestMutation === "skip-wal-on-restore") return this.flush();
    for (const bytes of records) {
      const record = this.wal.decode(bytes);
      this.replayRecord(record);
    }
    if (this.target !== null && this.target <= this.currentView) this.target = null;
    if (this.own.size > 0) {
      this.hs.active = true;
      this.resendOwn();
    }
    this.deadline = null;
    this.armTimer();
    return this.flush();
  }

  // ---------------------------------------------------------------- receiving

  private receive(m: ConsensusMessage): void {
    if (!bytesEqual(m.electionId, this.config.electionId)) {
      this.drop("consensus/wrong_election", `${m.type} for another election`);
      return;
    }
    if (m.sender === this.config.self) {
      this.drop("consensus/from_self", `${m.type} signed with this replica's own index`);
      return;
    }
    if (m.height < this.currentHeight) {
      this.out.push({
        type: "dropped",
        reason: "consensus/stale_height",
        detail: `${m.type} for height ${m.height}`,
        from: m.sender,
        height: m.height,
      });
      return;
    }
    if (m.view > this.currentView + MAX_VIEWS_AHEAD) {
      this.drop("consensus/view_too_far", `${m.type} for view ${m.view}`);
      return;
    }
    if (m.height === this.currentHeight && this.isKnownDuplicate(m)) {
      this.drop("consensus/duplicate", `${m.type} ${m.height}/${m.view} from ${m.sender}`);
      return;
    }
    let blockHash: Uint8Array | null = null;
    switch (m.type) {
      case "pre-prepare": {
        const r = checkPrePrepare(this.check, m);
        if (!r.ok) return void this.drop(r.reason, r.detail);
        blockHash = r.value;
        break;
      }
      case "prepare":
      case "commit": {
        const r = checkVote(this.check, m);
        if (!r.ok) return void this.drop(r.reason, r.detail);
        break;
      }
      case "view-change": {
        const r = checkViewChange(this.check, m, true);
        if (!r.ok) return void this.drop(r.reason, r.detail);
        break;
      }
      case "new-view": {
        const r = checkNewView(this.check, m);
        if (!r.ok) return void this.drop(r.reason, r.detail);
        blockHash = r.value.prePrepareHash;
        break;
      }
    }
    if (m.height > this.currentHeight) {
      this.bufferFuture(m, blockHash);
      return;
    }
    this.handleVerified(m, blockHash);
  }

  /** Exact repeats of something already accepted are dropped before any signature check. */
  private isKnownDuplicate(m: ConsensusMessage): boolean {
    switch (m.type) {
      case "prepare":
      case "commit": {
        const first = this.hs.firstSigned.get(signedKey(m.sender, m.view, m.type));
        return (
          first !== undefined &&
          bytesEqual(first.sig, m.sig) &&
          bytesEqual(first.blockHash, m.blockHash)
        );
      }
      case "view-change": {
        const earlier = this.hs.viewChanges.get(m.view)?.get(m.sender);
        if (earlier === undefined) return false;
        if (bytesEqual(earlier.sig, m.sig)) return true;
        // One differing VIEW-CHANGE per (sender, view) is checked for equivocation; checking
        // more would let a validator make us verify certificates over and over.
        return this.hs.viewChangeConflictChecked.has(`${m.sender}/${m.view}`);
      }
      case "new-view": {
        const round = this.hs.rounds.get(m.view);
        return round?.newView != null && bytesEqual(round.newView.sig, m.sig);
      }
      case "pre-prepare": {
        const round = this.hs.rounds.get(m.view);
        return round?.proposal != null && bytesEqual(round.proposal.message.sig, m.sig);
      }
    }
  }

  private handleVerified(m: ConsensusMessage, blockHash: Uint8Array | null): void {
    // Work is under way at this height (and the view timer must run) when the current view's
    // leader proposed, when a NEW-VIEW (a quorum's certificate) arrived, or when f+1 validators
    // sent something, at least one of them honest. Not on one validator's word: a single
    // signed PREPARE or VIEW-CHANGE from a Byzantine validator would otherwise make every idle
    // replica time out and change view, over and over, with ever longer timeouts.
    this.hs.heardFrom.add(m.sender);
    if (
      (m.type === "pre-prepare" && m.view === this.currentView) ||
      m.type === "new-view" ||
      this.hs.heardFrom.size >= this.faultTolerance + 1
    ) {
      this.hs.active = true;
    }
    switch (m.type) {
      case "pre-prepare":
        this.onPrePrepare(m, blockHash!);
        break;
      case "prepare":
        this.onPrepare(m);
        break;
      case "commit":
        this.onCommit(m);
        break;
      case "view-change":
        this.onViewChange(m);
        break;
      case "new-view":
        this.onNewView(m);
        break;
    }
    this.armTimer();
  }

  /**
   * Remembers the first statement each validator signed per (view, phase). A second one on a
   * different block is equivocation: reported once as evidence, and not counted.
   */
  private firstSignature(
    sender: number,
    view: number,
    phase: EquivocationPhase,
    blockHash: Uint8Array,
    sig: Uint8Array,
  ): "new" | "duplicate" | "first-conflict" | "conflict" {
    const key = signedKey(sender, view, phase);
    const first = this.hs.firstSigned.get(key);
    if (first === undefined) {
      this.hs.firstSigned.set(key, { blockHash, sig });
      return "new";
    }
    if (bytesEqual(first.blockHash, blockHash)) return "duplicate";
    const reportedKey = `${key}/reported`;
    if (this.hs.firstSigned.has(reportedKey)) return "conflict";
    this.hs.firstSigned.set(reportedKey, first);
    this.out.push({
      type: "evidence",
      evidence: makeEvidence(
        sender,
        this.currentHeight,
        view,
        phase,
        { ...first, preparedView: null },
        { blockHash, preparedView: null, sig },
      ),
    });
    return "first-conflict";
  }

  private onPrePrepare(m: PrePrepareMessage, blockHash: Uint8Array): void {
    const seen = this.firstSignature(m.sender, m.view, "pre-prepare", blockHash, m.sig);
    if (seen === "duplicate") return void this.drop("consensus/duplicate", `pre-prepare ${m.view}`);
    const hex = toHex(blockHash);
    if (seen === "conflict" || seen === "first-conflict") {
      // Not a proposal we act on; but q commits may name it, so keep its payload (the first
      // conflicting one per view only, which bounds what an equivocating leader can make us store).
      if (seen === "first-conflict" || this.hasCommitsFor(hex)) {
        this.hs.payloads.set(hex, m.payload);
        this.tryDecideHash(hex);
      }
      return void this.drop("consensus/equivocation", `pre-prepare ${m.view}`);
    }
    this.hs.payloads.set(hex, m.payload);
    const round = this.hs.round(m.view);
    round.proposal = { blockHash, hex, payload: m.payload, message: m };
    // A late payload can complete a commit quorum that was waiting for it.
    this.tryDecideHash(hex);
    if (m.view < this.currentView)
      return void this.drop("consensus/stale_view", `pre-prepare ${m.view}`);
    this.maybePrepare(m.view);
  }

  private onPrepare(m: PrepareMessage): void {
    const seen = this.firstSignature(m.sender, m.view, "prepare", m.blockHash, m.sig);
    if (seen === "duplicate") return void this.drop("consensus/duplicate", `prepare ${m.view}`);
    if (seen !== "new") return void this.drop("consensus/equivocation", `prepare ${m.view}`);
    if (m.view < this.currentView)
      return void this.drop("consensus/stale_view", `prepare ${m.view}`);
    addVote(this.hs.round(m.view).prepares, m.blockHash, m.sender, m.sig);
    this.maybeCommit(m.view);
  }

  private onCommit(m: CommitMessage): void {
    const seen = this.firstSignature(m.sender, m.view, "commit", m.blockHash, m.sig);
    if (seen === "duplicate") return void this.drop("consensus/duplicate", `commit ${m.view}`);
    if (seen !== "new") return void this.drop("consensus/equivocation", `commit ${m.view}`);
    // Commits of any view count: q of them are a certificate whatever view we are in.
    addVote(this.hs.round(m.view).commits, m.blockHash, m.sender, m.sig);
    this.tryDecide(m.view, toHex(m.blockHash));
  }

  private onViewChange(m: ViewChangeMessage): void {
    const earlier = this.hs.viewChanges.get(m.view)?.get(m.sender);
    if (earlier !== undefined) return void this.checkViewChangeConflict(earlier, m);
    if (m.prepared?.payload != null) {
      this.hs.payloads.set(toHex(m.prepared.blockHash), m.prepared.payload);
    }
    if (m.view <= this.currentView) {
      // The sender is behind: hand it the NEW-VIEW that moved us, so it can follow.
      const newView = this.hs.rounds.get(this.currentView)?.newView;
      if (newView != null) this.send(m.sender, newView);
      return void this.drop("consensus/stale_view", `view-change to ${m.view}`);
    }
    let forView = this.hs.viewChanges.get(m.view);
    if (forView === undefined) {
      forView = new Map();
      this.hs.viewChanges.set(m.view, forView);
    }
    forView.set(m.sender, m);
    const previous = this.hs.highestViewChange.get(m.sender) ?? -1;
    if (m.view > previous) this.hs.highestViewChange.set(m.sender, m.view);
    // f+1 validators want a later view, so at least one honest one does: join the smallest,
    // rather than wait out our own (possibly much longer) timeout.
    const level = this.level();
    const ahead = [...this.hs.highestViewChange.values()].filter((v) => v > level);
    if (ahead.length >= this.faultTolerance + 1) this.startViewChange(Math.min(...ahead));
    this.maybeSendNewView(m.view);
  }

  /**
   * A second, verified VIEW-CHANGE from a validator for a view it already asked for. Signing
   * two that name different prepared certificates is equivocation: reported once. The first
   * one stays the one that counts.
   */
  private checkViewChangeConflict(earlier: ViewChangeMessage, m: ViewChangeMessage): void {
    this.hs.viewChangeConflictChecked.add(`${m.sender}/${m.view}`);
    const statementOf = (vc: ViewChangeMessage) => ({
      blockHash: vc.prepared?.blockHash ?? null,
      preparedView: vc.prepared?.view ?? null,
      sig: vc.sig,
    });
    const a = statementOf(earlier);
    const b = statementOf(m);
    if (statementOrder(a, b) === 0) {
      return void this.drop("consensus/duplicate", `view-change ${m.view} from ${m.sender}`);
    }
    this.out.push({
      type: "evidence",
      evidence: makeEvidence(m.sender, this.currentHeight, m.view, "view-change", a, b),
    });
  }

  private onNewView(m: NewViewMessage): void {
    if (this.target !== null && m.view < this.target && m.view >= this.currentView) {
      // Having asked for a later view, this replica promised to take no part in earlier ones.
      // But q others are working in view m.view: if we kept timing out on our own we could
      // stay ahead of them for ever (all timers equal once capped). Wait for them to climb to
      // our target instead, one full timeout per view between.
      const climb = this.now + this.timeoutFor(this.target) * (this.target - m.view);
      if (this.deadline === null || this.deadline < climb) this.deadline = climb;
      return void this.drop(
        "consensus/stale_view",
        `new-view ${m.view}, waiting for ${this.target}`,
      );
    }
    if (m.view < this.currentView) {
      return void this.drop("consensus/stale_view", `new-view ${m.view}`);
    }
    const round = this.hs.round(m.view);
    if (m.view === this.currentView && round.entered) {
      return void this.drop("consensus/duplicate", `new-view ${m.view}`);
    }
    const fixed = forcedBlock(m);
    this.enterView(m.view, fixed, m);
    if (m.prePrepare !== null) {
      this.onPrePrepare(m.prePrepare, this.config.proposalHash(m.prePrepare.payload));
    }
    this.maybePrepare(m.view);
  }

  // ---------------------------------------------------------------- the normal case

  private maybePropose(): void {
    if (this.candidate === null || this.target !== null) return;
    const view = this.currentView;
    if (leaderOf(this.currentHeight, view, this.n) !== this.config.self) return;
    const round = this.hs.round(view);
    if (!round.entered || round.proposal !== null || round.fixedHash !== null) return;
    const payload = this.candidate;
    const blockHash = this.config.proposalHash(payload);
    const prePrepare = this.signPrePrepare(view, payload, blockHash);
    if (prePrepare === null) return;
    this.hs.active = true;
    this.hs.validity.set(toHex(blockHash), "valid"); // our own block: the node built it valid
    this.acceptOwnProposal(prePrepare, blockHash);
    this.broadcast(prePrepare);
    this.maybePrepare(view);
  }

  private acceptOwnProposal(m: PrePrepareMessage, blockHash: Uint8Array): void {
    const hex = toHex(blockHash);
    this.hs.payloads.set(hex, m.payload);
    this.hs.round(m.view).proposal = { blockHash, hex, payload: m.payload, message: m };
  }

  private maybePrepare(view: number): void {
    if (view !== this.currentView || this.target !== null) return;
    const round = this.hs.round(view);
    const proposal = round.proposal;
    if (!round.entered || proposal === null) return;
    if (round.fixedHash !== null && !bytesEqual(round.fixedHash, proposal.blockHash)) return;
    const reproposal = round.fixedHash !== null;
    let validity = this.hs.validity.get(proposal.hex);
    if (reproposal && validity === "invalid" && !this.hs.askedAsReproposal.has(proposal.hex)) {
      // This replica refused the block as a fresh proposal, maybe for its time alone (the
      // leader's clock against ours), yet q validators prepared it and a NEW-VIEW now forces
      // it: refusing it for ever would stall the height once we are needed for a quorum.
      // Ask once more, as a re-proposal; a block invalid in itself stays invalid.
      validity = undefined;
    }
    if (validity === undefined) {
      if (reproposal) this.hs.askedAsReproposal.add(proposal.hex);
      this.hs.validity.set(proposal.hex, "pending");
      this.out.push({
        type: "validate",
        height: this.currentHeight,
        blockHash: proposal.blockHash,
        payload: proposal.payload,
        reproposal,
      });
      return;
    }
    if (validity === "pending") return;
    if (validity === "invalid") {
      // The leader proposed a block every honest replica rejects: do not wait for the timer.
      this.startViewChange(this.level() + 1);
      return;
    }
    // Already voted (retransmission is resendOwn's job): just see whether we can commit.
    if (this.own.has(`${view}/prepare`)) {
      this.maybeCommit(view);
      return;
    }
    const prepare = this.signVote("prepare", view, proposal.blockHash);
    if (prepare === null) return;
    addVote(round.prepares, proposal.blockHash, this.config.self, prepare.sig);
    this.broadcast(prepare);
    this.maybeCommit(view);
  }

  private maybeCommit(view: number): void {
    if (view !== this.currentView || this.target !== null) return;
    const round = this.hs.round(view);
    const proposal = round.proposal;
    if (proposal === null) return;
    // Only after this replica's own PREPARE for the block: that is where it was validated.
    const ownPrepare = this.own.get(`${view}/prepare`);
    if (ownPrepare?.type !== "prepare" || !bytesEqual(ownPrepare.blockHash, proposal.blockHash)) {
      return;
    }
    if (this.own.has(`${view}/commit`)) return;
    const prepares = round.prepares.get(proposal.hex);
    if (prepares === undefined || prepares.size < this.quorum) return;
    if (this.hs.prepared === null || this.hs.prepared.view < view) {
      const certificate: PreparedCertificate = {
        view,
        blockHash: proposal.blockHash,
        payload: proposal.payload,
        prepares: sortedSignatures(prepares),
      };
      this.hs.prepared = certificate;
      this.persist({ type: "prepared", height: this.currentHeight, certificate });
    }
    const commit = this.signVote("commit", view, proposal.blockHash);
    if (commit === null) return;
    addVote(round.commits, proposal.blockHash, this.config.self, commit.sig);
    this.broadcast(commit);
    this.tryDecide(view, proposal.hex);
  }

  private hasCommitsFor(hex: string): boolean {
    for (const round of this.hs.rounds.values()) if (round.commits.has(hex)) return true;
    return false;
  }

  private tryDecideHash(hex: string): void {
    for (const [view, round] of this.hs.rounds) {
      if (round.commits.has(hex)) this.tryDecide(view, hex);
    }
  }

  private tryDecide(view: number, hex: string): void {
    const height = this.currentHeight;
    const commits = this.hs.rounds.get(view)?.commits.get(hex);
    if (commits === undefined || commits.size < this.quorum) return;
    const payload = this.hs.payloads.get(hex);
    if (payload === undefined) {
      // Decided, but this replica never saw the block: get it, with its certificate.
      this.requestFetch();
      return;
    }
    const blockHash = fromHex(hex);
    this.decide(payload, { height, view, blockHash, signatures: sortedSignatures(commits) });
  }

  private decide(payload: Uint8Array, certificate: CommitCertificate): void {
    this.out.push({ type: "decide", height: this.currentHeight, payload, certificate });
    this.advanceTo(this.currentHeight + 1);
  }

  private advanceTo(height: number): void {
    this.currentHeight = height;
    this.currentView = 0;
    this.target = null;
    this.hs = new HeightState();
    this.candidate = null;
    this.own = new Map();
    this.deadline = null;
    this.lastResend = this.now;
    this.futureSince = null;
    const ready: Buffered[] = [];
    for (const [h, list] of this.future) {
      if (h > height) continue;
      this.future.delete(h);
      for (const b of list) {
        this.futureCountBySender.set(
          b.message.sender,
          (this.futureCountBySender.get(b.message.sender) ?? 1) - 1,
        );
        if (h === height) ready.push(b);
      }
    }
    if (this.future.size > 0) this.futureSince = this.now;
    for (const b of ready) {
      // A replayed commit quorum may decide this height too; stop replaying once it has.
      if (this.currentHeight !== height) break;
      if (this.isKnownDuplicate(b.message)) continue;
      this.handleVerified(b.message, b.blockHash);
    }
    this.armTimer();
  }

  // ---------------------------------------------------------------- view change

  /** The view this replica is in or waiting for. */
  private level(): number {
    return this.target ?? this.currentView;
  }

  private timeoutFor(view: number): number {
    const { baseMs, backoff, maxMs } = this.timeouts;
    return Math.min(maxMs, baseMs * backoff ** Math.min(view, 64));
  }

  private hasPendingWork(): boolean {
    return this.candidate !== null || this.hs.active || this.target !== null;
  }

  private armTimer(): void {
    if (this.deadline === null && this.hasPendingWork()) {
      // Work starts now (or a view does): nothing of ours is overdue for retransmission yet.
      this.lastResend = this.now;
      this.deadline = this.now + this.timeoutFor(this.level());
    }
  }

  private startViewChange(view: number): void {
    if (view <= this.level()) return;
    this.target = view;
    this.hs.active = true;
    const prepared = this.hs.prepared;
    const viewChange = this.signOnce(`${view}/view-change`, null, () => {
      const statement = consensusStatement(
        this.config.electionId,
        "view-change",
        this.currentHeight,
        view,
        prepared?.blockHash ?? null,
        prepared?.view ?? null,
      );
      return {
        type: "view-change",
        electionId: this.config.electionId,
        height: this.currentHeight,
        view,
        sender: this.config.self,
        prepared,
        sig: this.config.signer.sign(statement),
      };
    });
    this.deadline = this.now + this.timeoutFor(view);
    this.lastResend = this.now;
    if (viewChange === null || viewChange.type !== "view-change") return;
    let forView = this.hs.viewChanges.get(view);
    if (forView === undefined) {
      forView = new Map();
      this.hs.viewChanges.set(view, forView);
    }
    forView.set(this.config.self, viewChange);
    this.broadcast(viewChange);
    this.maybeSendNewView(view);
  }

  private maybeSendNewView(view: number): void {
    if (leaderOf(this.currentHeight, view, this.n) !== this.config.self) return;
    if (view <= this.currentView || (this.target !== null && view < this.target)) return;
    const collected = this.hs.viewChanges.get(view);
    if (collected === undefined || collected.size < this.quorum) return;
    const proof = [...collected.values()].sort((a, b) => a.sender - b.sender).slice(0, this.quorum);
    let highest: PreparedCertificate | null = null;
    for (const vc of proof) {
      if (vc.prepared !== null && (highest === null || vc.prepared.view > highest.view)) {
        highest = vc.prepared;
      }
    }
    let prePrepare: PrePrepareMessage | null = null;
    let blockHash: Uint8Array | null = null;
    if (highest !== null) {
      // Every view-change in `collected` was checked with its payload present.
      blockHash = highest.blockHash;
      prePrepare = this.signPrePrepare(view, highest.payload!, blockHash);
      if (prePrepare === null) return;
    } else if (this.candidate !== null) {
      blockHash = this.config.proposalHash(this.candidate);
      prePrepare = this.signPrePrepare(view, this.candidate, blockHash);
      if (prePrepare === null) return;
      this.hs.validity.set(toHex(blockHash), "valid");
    }
    const stripped = proof.map((vc) =>
      vc.prepared === null ? vc : { ...vc, prepared: { ...vc.prepared, payload: null } },
    );
    const newView = this.signOnce(`${view}/new-view`, blockHash, () => ({
      type: "new-view",
      electionId: this.config.electionId,
      height: this.currentHeight,
      view,
      sender: this.config.self,
      viewChanges: stripped,
      prePrepare,
      sig: this.config.signer.sign(
        consensusStatement(
          this.config.electionId,
          "new-view",
          this.currentHeight,
          view,
          blockHash,
          null,
        ),
      ),
    }));
    if (newView === null || newView.type !== "new-view") return;
    this.enterView(view, highest?.blockHash ?? null, newView);
    if (newView.prePrepare !== null) {
      this.acceptOwnProposal(
        newView.prePrepare,
        this.config.proposalHash(newView.prePrepare.payload),
      );
    }
    this.broadcast(newView);
    this.maybePrepare(view);
  }

  private enterView(view: number, fixedHash: Uint8Array | null, newView: NewViewMessage): void {
    this.currentView = view;
    this.target = null;
    const round = this.hs.round(view);
    round.entered = true;
    round.fixedHash = fixedHash;
    round.newView = newView;
    this.deadline = null;
    this.lastResend = this.now;
    this.armTimer();
  }

  // ---------------------------------------------------------------- signing and sending

  /**
   * The one place this replica signs. At most one statement per (view, phase) at a height,
   * ever, restarts included (restore() refills `own`): asked again for the same block it
   * returns what it signed before; asked for a different block it refuses (null).
   */
  private signOnce(
    key: string,
    blockHash: Uint8Array | null,
    build: () => ConsensusMessage,
  ): ConsensusMessage | null {
    const existing = this.own.get(key);
    if (existing !== undefined) {
      return sameValue(existing, blockHash, this.config.proposalHash) ? existing : null;
    }
    const message = build();
    this.own.set(key, message);
    this.persist({ type: "sent", message });
    return message;
  }

  private signPrePrepare(
    view: number,
    payload: Uint8Array,
    blockHash: Uint8Array,
  ): PrePrepareMessage | null {
    const m = this.signOnce(`${view}/pre-prepare`, blockHash, () => ({
      type: "pre-prepare",
      electionId: this.config.electionId,
      height: this.currentHeight,
      view,
      sender: this.config.self,
      payload,
      sig: this.config.signer.sign(
        consensusStatement(
          this.config.electionId,
          "pre-prepare",
          this.currentHeight,
          view,
          blockHash,
          null,
        ),
      ),
    }));
    return m?.type === "pre-prepare" ? m : null;
  }

  private signVote<T extends "prepare" | "commit">(
    phase: T,
    view: number,
    blockHash: Uint8Array,
  ): PrepareMessage | CommitMessage | null {
    const height = this.currentHeight;
    const electionId = this.config.electionId;
    const m = this.signOnce(`${view}/${phase}`, blockHash, () => ({
      type: phase,
      electionId,
      height,
      view,
      sender: this.config.self,
      blockHash,
      sig: this.config.signer.sign(
        phase === "commit"
          ? commitStatement(electionId, height, view, blockHash)
          : consensusStatement(electionId, "prepare", height, view, blockHash, null),
      ),
    }));
    return m?.type === phase ? (m as PrepareMessage | CommitMessage) : null;
  }

  private persist(record: WalRecord): void {
    this.out.push({ type: "persist", record: this.wal.encode(record) });
  }

  private broadcast(message: ConsensusMessage): void {
    this.send("all", message);
  }

  private send(to: number | "all", message: ConsensusMessage): void {
    this.out.push({ type: "send", to, message, bytes: encodeWith(this.codecs.message, message) });
  }

  /** Retransmits what this replica signed at this height that can still help others. */
  private resendOwn(): void {
    this.lastResend = this.now;
    const view = this.currentView;
    for (const message of this.own.values()) {
      let useful: boolean;
      switch (message.type) {
        case "commit":
          useful = true; // a commit of any view still counts towards a certificate
          break;
        case "view-change":
          useful = message.view === this.target;
          break;
        case "pre-prepare":
          // After a view change the NEW-VIEW carries the proposal; do not send it twice.
          useful = message.view === view && !this.own.has(`${view}/new-view`);
          break;
        default:
          useful = message.view === view && this.target === null;
      }
      if (useful) this.broadcast(message);
    }
  }

  private bufferFuture(m: ConsensusMessage, blockHash: Uint8Array | null): void {
    if (m.height > this.currentHeight + 1) this.requestFetch();
    else if (this.futureSince === null) this.futureSince = this.now;
    if (m.height > this.currentHeight + FUTURE_HEIGHT_WINDOW) {
      return void this.drop("consensus/future_height", `${m.type} for height ${m.height}`);
    }
    const count = this.futureCountBySender.get(m.sender) ?? 0;
    if (count >= FUTURE_BUFFER_PER_SENDER) {
      return void this.drop("consensus/future_height", `buffer of ${m.sender} is full`);
    }
    this.futureCountBySender.set(m.sender, count + 1);
    let list = this.future.get(m.height);
    if (list === undefined) {
      list = [];
      this.future.set(m.height, list);
    }
    list.push({ message: m, blockHash });
  }

  /**
   * Messages from the next height usually mean only that our last commits are still in
   * flight, so wait a little before fetching; anything further ahead means we are behind.
   */
  private fetchDelay(): number {
    return this.timeouts.baseMs / 2;
  }

  private requestFetch(): void {
    const from = this.currentHeight;
    const last = this.lastFetch;
    if (last !== null && last.fromHeight === from && this.now - last.at < this.fetchDelay()) return;
    this.lastFetch = { fromHeight: from, at: this.now };
    this.out.push({ type: "fetch", fromHeight: from });
  }

  private replayRecord(record: WalRecord): void {
    if (record.type === "prepared") {
      if (record.height !== this.currentHeight) return;
      if (this.hs.prepared === null || this.hs.prepared.view < record.certificate.view) {
        this.hs.prepared = record.certificate;
        if (record.certificate.payload !== null) {
          this.hs.payloads.set(toHex(record.certificate.blockHash), record.certificate.payload);
        }
      }
      return;
    }
    const m = record.message;
    if (m.height !== this.currentHeight) return;
    switch (m.type) {
      case "pre-prepare": {
        this.own.set(`${m.view}/pre-prepare`, m);
        const blockHash = this.config.proposalHash(m.payload);
        this.hs.validity.set(toHex(blockHash), "valid");
        this.acceptOwnProposal(m, blockHash);
        this.hs.firstSigned.set(signedKey(m.sender, m.view, "pre-prepare"), {
          blockHash,
          sig: m.sig,
        });
        break;
      }
      case "prepare":
      case "commit": {
        this.own.set(`${m.view}/${m.type}`, m);
        const round = this.hs.round(m.view);
        addVote(
          m.type === "prepare" ? round.prepares : round.commits,
          m.blockHash,
          m.sender,
          m.sig,
        );
        if (m.type === "prepare") this.hs.validity.set(toHex(m.blockHash), "valid");
        if (m.view > this.currentView) this.currentView = m.view;
        break;
      }
      case "view-change": {
        this.own.set(`${m.view}/view-change`, m);
        let forView = this.hs.viewChanges.get(m.view);
        if (forView === undefined) {
          forView = new Map();
          this.hs.viewChanges.set(m.view, forView);
        }
        forView.set(m.sender, m);
        if (this.target === null || m.view > this.target) this.target = m.view;
        break;
      }
      case "new-view": {
        this.own.set(`${m.view}/new-view`, m);
        if (m.view >= this.currentView) {
          const fixed = forcedBlock(m);
          this.currentView = m.view;
          const round = this.hs.round(m.view);
          round.entered = true;
          round.fixedHash = fixed;
          round.newView = m;
        }
        if (m.prePrepare !== null) this.replayRecord({ type: "sent", message: m.prePrepare });
        break;
      }
    }
  }

  private drop(reason: DropReason, detail: string): void {
    this.out.push({ type: "dropped", reason, detail });
  }

  /** For inputs rejected outright: the drop is the only action. */
  private dropOnly(reason: DropReason, detail: string): Action[] {
    this.drop(reason, detail);
    return this.flush();
  }

  private flush(): Action[] {
    const actions = this.out;
    this.out = [];
    return actions;
  }
}

/** The block a verified NEW-VIEW forces: the highest prepared certificate in its proof. */
function forcedBlock(m: NewViewMessage): Uint8Array | null {
  let highest: PreparedCertificate | null = null;
  for (const vc of m.viewChanges) {
    if (vc.prepared !== null && (highest === null || vc.prepared.view > highest.view))
      highest = vc.prepared;
  }
  return highest?.blockHash ?? null;
}

function sameValue(
  existing: ConsensusMessage,
  blockHash: Uint8Array | null,
  proposalHash: (payload: Uint8Array) => Uint8Array,
): boolean {
  switch (existing.type) {
    case "prepare":
    case "commit":
      return blockHash !== null && bytesEqual(existing.blockHash, blockHash);
    case "pre-prepare":
      return blockHash !== null && bytesEqual(proposalHash(existing.payload), blockHash);
    case "new-view": {
      const pp = existing.prePrepare;
      if (pp === null || blockHash === null) return pp === null && blockHash === null;
      return bytesEqual(proposalHash(pp.payload), blockHash);
    }
    case "view-change":
      // One view-change per target view; asking again means "send the one you signed".
      return true;
  }
}
