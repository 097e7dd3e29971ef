/**
 * A deterministic simulated network of N consensus engines in one process, on virtual time.
 * Every message, timer, validation answer and catch-up reply is an event in one seeded
 * queue; the network delays, drops, duplicates and reorders messages and splits into
 * partitions; nodes crash (possibly halfway through carrying out an input's actions) and
 * restart from their WAL; faulty validators misbehave (byzantine.ts). The invariants are
 * checked as each decision happens, liveness at the end.
 */
import {
  type Action,
  type CommitCertificate,
  ConsensusEngine,
  type EngineConfig,
  faultTolerance,
  quorumSize,
  type UnsafeTestMutation,
  verifyCertificate,
  verifyEvidence,
} from "../../src/consensus/index.ts";
import { bytesEqual, toHex, utf8 } from "../../src/crypto/bytes.ts";
import { taggedHash } from "../../src/crypto/hash.ts";
import { blockHash, decodeBlock, encodeBlock, isValidBlock, type SimBlock } from "./block.ts";
import { type Behaviour, type FaultKind, makeBehaviour } from "./byzantine.ts";
import { Rng } from "./rng.ts";
import { type CryptoKind, type SimCrypto, simCrypto } from "./sim-crypto.ts";

export interface NetworkParams {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Before `stableAtMs` only; afterwards nothing is lost. */
  readonly dropRate: number;
  readonly duplicateRate: number;
}

export interface Partition {
  readonly startMs: number;
  readonly endMs: number;
  /** Validators listed in no group are in group 0. */
  readonly groups: readonly (readonly number[])[];
}

export interface CrashRestart {
  readonly validator: number;
  readonly atMs: number;
  /** null: stays down (counts as one of the f faults). */
  readonly restartAtMs: number | null;
}

/** Validators' clocks, when the scenario models them (else every clock is true time). */
export interface ClockModel {
  /** Every validator's maxClockSkewMs. */
  readonly maxSkewMs: number;
  /** Each validator's clock minus the true time, in ms, by validator index. */
  readonly offsetsMs: readonly number[];
  /** Mutation: validators skip the clock check (the simulation must then see bad times). */
  readonly unsafeSkipCheck?: boolean;
}

/** True time 0 of a run, as ms since the epoch: the genesis block's time. */
export const SIM_EPOCH_MS = 1_780_000_000_000;

export interface Scenario {
  readonly seed: number;
  readonly n: number;
  /** Faulty validators by index: at most f of them, crash-forever included. */
  readonly faults: ReadonlyMap<number, FaultKind>;
  readonly network: NetworkParams;
  readonly partitions: readonly Partition[];
  /** Crashes of honest validators, all restarted before stableAtMs. */
  readonly crashes: readonly CrashRestart[];
  readonly stableAtMs: number;
  /** Submission time of each transaction (ids 1..length). */
  readonly txTimesMs: readonly number[];
  readonly timeouts: { readonly baseMs: number; readonly backoff: number; readonly maxMs: number };
  /** Every transaction must be decided this long after the later of submission and stableAtMs. */
  readonly livenessBoundMs: number;
  readonly crypto: CryptoKind;
  readonly mutation?: UnsafeTestMutation;
  /** Skewed clocks: validators then check fresh proposals' times against their own clocks. */
  readonly clock?: ClockModel;
}

export interface Violation {
  readonly kind:
    | "agreement"
    | "certificate"
    | "gap"
    | "honest-evidence"
    | "bad-evidence"
    | "liveness"
    | "clock";
  readonly atMs: number;
  readonly detail: string;
}

export interface RunStats {
  messagesSent: number;
  bytesSent: number;
  decisions: number;
  evidence: number;
  viewChanges: number;
  fetches: number;
  drops: Map<string, number>;
  endMs: number;
  events: number;
  finalHeight: number;
}

export interface RunResult {
  readonly scenario: Scenario;
  readonly violations: readonly Violation[];
  readonly stats: RunStats;
}

/** One engine instance; twins are two SimNodes with one validator index. */
export interface SimNode {
  readonly id: number;
  readonly validator: number;
  readonly nonce: number;
  engine: ConsensusEngine;
  up: boolean;
  /** Durable: survives crashes. */
  readonly wal: Uint8Array[];
  readonly ledger: { payload: Uint8Array; hash: Uint8Array; time: number }[];
  readonly included: Set<number>;
  /** Beside the ledger, as the store keeps them: what catch-up serves. */
  readonly certificates: CommitCertificate[];
  candidateHeight: number;
  /** The time in this node's current candidate. */
  candidateTime: number;
  scheduledTick: number;
  /** Cut the action list of the next input here, then crash (crash mid-way). */
  crashPending: { restartAtMs: number | null } | null;
  readonly behaviour: Behaviour;
}

type Event =
  | { kind: "deliver"; node: number; bytes: Uint8Array }
  | { kind: "tick"; node: number }
  | { kind: "validated"; node: number; height: number; hash: Uint8Array; valid: boolean }
  | { kind: "fetched"; node: number; blocks: { payload: Uint8Array; cert: CommitCertificate }[] }
  | { kind: "crash"; node: number; restartAtMs: number | null }
  | { kind: "restart"; node: number }
  | { kind: "tx"; tx: number };

interface Queued {
  readonly time: number;
  readonly seq: number;
  readonly event: Event;
}

/** Binary min-heap on (time, seq): ties resolve in scheduling order, deterministically. */
class EventQueue {
  private heap: Queued[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, event: Event): void {
    const item = { time, seq: this.seq++, event };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, item)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = item;
  }

  pop(): Queued | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let best = last;
      if (l < h.length && less(h[l]!, best)) {
        m = l;
        best = h[l]!;
      }
      if (r < h.length && less(h[r]!, best)) m = r;
      if (m === i) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = last;
    return top;
  }
}

function less(a: Queued, b: Queued): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

const MAX_TXS_PER_BLOCK = 16;
const FETCH_BATCH = 32;

export class Cluster {
  readonly scenario: Scenario;
  readonly rng: Rng;
  readonly crypto: SimCrypto;
  readonly electionId: Uint8Array;
  readonly nodes: SimNode[] = [];
  readonly violations: Violation[] = [];
  readonly stats: RunStats = {
    messagesSent: 0,
    bytesSent: 0,
    decisions: 0,
    evidence: 0,
    viewChanges: 0,
    fetches: 0,
    drops: new Map(),
    endMs: 0,
    events: 0,
    finalHeight: 0,
  };
  /** The block every honest replica decided at each height (first decision wins). */
  readonly decidedHashes = new Map<number, string>();
  /** When each transaction first appeared in an honest replica's decided block. */
  readonly txDecidedAt = new Map<number, number>();
  /** When each block (by hash) was first built or validated anywhere. */
  private readonly firstSeenAt = new Map<string, number>();
  /** Called with each action an honest node carries out (the benchmark counts with it). */
  onAction: ((node: SimNode, action: Action, now: number) => void) | null = null;

  now = 0;
  submitted = 0;
  private readonly queue = new EventQueue();
  private readonly quorum: number;
  private readonly lastOffer = new Map<number, number>();

  constructor(scenario: Scenario) {
    this.scenario = scenario;
    this.rng = new Rng(scenario.seed ^ 0x5bd1e995);
    this.crypto = simCrypto(scenario.crypto, scenario.seed, scenario.n);
    this.electionId = taggedHash("saylau/v1/sim-election", utf8(String(scenario.seed)));
    this.quorum = quorumSize(scenario.n);
    let id = 0;
    for (let v = 0; v < scenario.n; v++) {
      const fault = scenario.faults.get(v);
      const copies = fault === "twins" ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        const node: SimNode = {
          id: id++,
          validator: v,
          nonce: c,
          engine: this.newEngine(v, 1),
          up: fault !== "silent",
          wal: [],
          ledger: [],
          included: new Set(),
          certificates: [],
          candidateHeight: 0,
          candidateTime: 0,
          scheduledTick: Number.POSITIVE_INFINITY,
          crashPending: null,
          behaviour: makeBehaviour(fault ?? "honest", this, v),
        };
        this.nodes.push(node);
      }
    }
    for (const crash of scenario.crashes) {
      for (const node of this.nodes) {
        if (node.validator === crash.validator) {
          this.queue.push(crash.atMs, {
            kind: "crash",
            node: node.id,
            restartAtMs: crash.restartAtMs,
          });
        }
      }
    }
    scenario.txTimesMs.forEach((t, i) => {
      this.queue.push(t, { kind: "tx", tx: i + 1 });
    });
  }

  /** A validator's clock now, ms since the epoch. */
  clockOf(validator: number): number {
    return SIM_EPOCH_MS + this.now + (this.scenario.clock?.offsetsMs[validator] ?? 0);
  }

  /** Honest, with a clock within the bound of the true time. */
  hasCorrectClock(validator: number): boolean {
    const clock = this.scenario.clock;
    if (!this.isHonest(validator)) return false;
    return clock === undefined || Math.abs(clock.offsetsMs[validator]!) <= clock.maxSkewMs;
  }

  private parentTime(node: SimNode): number {
    return node.ledger[node.ledger.length - 1]?.time ?? SIM_EPOCH_MS;
  }

  private seen(payload: Uint8Array): void {
    // Only the block-time check reads it; a hash per block is a cost the others need not pay.
    if (this.scenario.clock === undefined) return;
    const hex = toHex(blockHash(payload));
    if (!this.firstSeenAt.has(hex)) this.firstSeenAt.set(hex, this.now);
  }

  isHonest(validator: number): boolean {
    const fault = this.scenario.faults.get(validator);
    return fault === undefined;
  }

  newEngine(validator: number, startHeight: number): ConsensusEngine {
    const config: EngineConfig = {
      electionId: this.electionId,
      validators: this.crypto.publicKeys,
      self: validator,
      signer: this.crypto.signerFor(validator),
      verify: this.crypto.verify,
      proposalHash: blockHash,
      startHeight,
      timeouts: this.scenario.timeouts,
      maxPayloadBytes: 64 * 1024,
      ...(this.scenario.mutation === undefined
        ? {}
        : { unsafeTestMutation: this.scenario.mutation }),
    };
    return new ConsensusEngine(config);
  }

  /** Runs until every transaction is decided everywhere it must be, or the liveness deadline. */
  run(): RunResult {
    const s = this.scenario;
    const lastTx = Math.max(0, ...s.txTimesMs);
    const deadline = Math.max(s.stableAtMs, lastTx) + s.livenessBoundMs;
    while (this.queue.size > 0) {
      const item = this.queue.pop()!;
      if (item.time > deadline) break;
      this.now = item.time;
      this.stats.events++;
      this.dispatch(item.event);
      // Safety is gone once two honest ledgers differ; nothing later would mean much.
      if (this.violations.some((v) => v.kind === "agreement" || v.kind === "gap")) break;
      if (
        this.now >= lastTx &&
        this.submitted === s.txTimesMs.length &&
        this.allDecidedEverywhere()
      ) {
        break;
      }
    }
    this.stats.endMs = this.now;
    this.checkLiveness(deadline);
    this.checkPrefixes();
    this.stats.finalHeight = Math.max(...this.nodes.map((n) => n.ledger.length));
    return { scenario: s, violations: this.violations, stats: this.stats };
  }

  // ------------------------------------------------------------ events

  private dispatch(event: Event): void {
    switch (event.kind) {
      case "tx": {
        this.submitted = Math.max(this.submitted, event.tx);
        for (const node of this.nodes) this.maybePropose(node);
        return;
      }
      case "crash": {
        const node = this.nodes[event.node]!;
        if (node.up) node.crashPending = { restartAtMs: event.restartAtMs };
        // If it receives nothing until then, it crashes at the latest 1 ms later, idle.
        this.queue.push(this.now + 1, { kind: "restart", node: -1 - node.id });
        return;
      }
      case "restart": {
        if (event.node < 0) {
          const node = this.nodes[-1 - event.node]!;
          if (node.crashPending !== null) this.crash(node, node.crashPending.restartAtMs);
          return;
        }
        this.restart(this.nodes[event.node]!);
        return;
      }
      case "tick": {
        const node = this.nodes[event.node]!;
        if (!node.up || node.scheduledTick !== this.now) return;
        node.scheduledTick = Number.POSITIVE_INFINITY;
        this.input(node, () => node.engine.tick(this.now));
        return;
      }
      case "deliver": {
        const node = this.nodes[event.node]!;
        if (!node.up) return;
        node.behaviour.onReceive(node, event.bytes);
        this.input(node, () => node.engine.step(event.bytes));
        return;
      }
      case "validated": {
        const node = this.nodes[event.node]!;
        if (!node.up || node.engine.height !== event.height) return;
        this.input(node, () => node.engine.validated(event.height, event.hash, event.valid));
        return;
      }
      case "fetched": {
        const node = this.nodes[event.node]!;
        for (const block of event.blocks) {
          if (!node.up) return;
          const height = node.engine.height;
          const cert = block.cert;
          if (cert.height !== height) continue;
          this.input(node, () =>
            node.engine.deliverDecided({ height, payload: block.payload, certificate: cert }),
          );
        }
        return;
      }
    }
  }

  /** Feeds one input to a node (its clock first), then carries out the actions in order. */
  private input(node: SimNode, run: () => Action[]): void {
    const tickActions = node.engine.tick(this.now);
    const actions = tickActions.concat(run());
    let cut = actions.length;
    if (node.crashPending !== null) cut = this.rng.int(0, actions.length);
    for (let i = 0; i < cut; i++) this.execute(node, actions[i]!);
    if (node.crashPending !== null) {
      this.crash(node, node.crashPending.restartAtMs);
      return;
    }
    this.maybePropose(node);
    this.scheduleTick(node);
  }

  private scheduleTick(node: SimNode): void {
    const wake = node.engine.nextWakeup();
    if (wake === null) return;
    const at = Math.max(wake, this.now + 1);
    if (at < node.scheduledTick) {
      node.scheduledTick = at;
      this.queue.push(at, { kind: "tick", node: node.id });
    }
  }

  private crash(node: SimNode, restartAtMs: number | null): void {
    node.up = false;
    node.crashPending = null;
    node.scheduledTick = Number.POSITIVE_INFINITY;
    if (restartAtMs !== null)
      this.queue.push(Math.max(restartAtMs, this.now + 1), { kind: "restart", node: node.id });
  }

  private restart(node: SimNode): void {
    if (node.up) return;
    node.up = true;
    node.engine = this.newEngine(node.validator, node.ledger.length + 1);
    node.candidateHeight = 0;
    this.input(node, () => node.engine.restore(node.wal));
  }

  private execute(node: SimNode, action: Action): void {
    if (this.onAction !== null && this.isHonest(node.validator))
      this.onAction(node, action, this.now);
    switch (action.type) {
      case "persist":
        node.wal.push(action.record);
        return;
      case "send":
        if (action.message.type === "view-change") this.stats.viewChanges++;
        node.behaviour.send(node, action.to, action.message, action.bytes);
        return;
      case "validate": {
        this.seen(action.payload);
        const clock = this.scenario.clock;
        const valid = isValidBlock(action.payload, action.height, this.submitted, node.included, {
          parentTime: this.parentTime(node),
          // As the node: fresh proposals only, with the clock read when the check starts.
          clock:
            clock === undefined || clock.unsafeSkipCheck === true || action.reproposal
              ? null
              : { now: this.clockOf(node.validator), maxSkewMs: clock.maxSkewMs },
        });
        const delay = this.rng.int(1, 20);
        this.queue.push(this.now + delay, {
          kind: "validated",
          node: node.id,
          height: action.height,
          hash: action.blockHash,
          valid,
        });
        return;
      }
      case "decide":
        this.onDecide(node, action.height, action.payload, action.certificate);
        return;
      case "fetch":
        this.stats.fetches++;
        this.serveFetch(node, action.fromHeight);
        return;
      case "evidence": {
        this.stats.evidence++;
        const e = action.evidence;
        try {
          verifyEvidence(this.electionId, this.crypto.publicKeys, e, this.crypto.verify);
        } catch (err) {
          this.violate("bad-evidence", `node ${node.id}: ${(err as Error).message}`);
        }
        if (this.isHonest(e.validator)) {
          this.violate(
            "honest-evidence",
            `honest validator ${e.validator} equivocated at ${e.height}/${e.view} ${e.phase}`,
          );
        }
        return;
      }
      case "dropped":
        this.stats.drops.set(action.reason, (this.stats.drops.get(action.reason) ?? 0) + 1);
        if (action.reason === "consensus/stale_height" && action.from !== undefined) {
          this.offerBlocks(node, action.from, action.height ?? 1);
        }
        return;
    }
  }

  /** Puts bytes on the wire from `from` to validator `to` (every instance of it). */
  transmit(fromNode: SimNode, to: number | "all", bytes: Uint8Array): void {
    for (const target of this.nodes) {
      if (target.validator === fromNode.validator) continue;
      if (to !== "all" && target.validator !== to) continue;
      this.stats.messagesSent++;
      this.stats.bytesSent += bytes.length;
      if (!this.reachable(fromNode.validator, target.validator)) continue;
      const unstable = this.now < this.scenario.stableAtMs;
      if (unstable && this.rng.chance(this.scenario.network.dropRate)) continue;
      const copies = this.rng.chance(this.scenario.network.duplicateRate) ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        const { minDelayMs, maxDelayMs } = this.scenario.network;
        this.queue.push(this.now + this.rng.int(minDelayMs, maxDelayMs), {
          kind: "deliver",
          node: target.id,
          bytes,
        });
      }
    }
  }

  reachable(a: number, b: number): boolean {
    for (const p of this.scenario.partitions) {
      if (this.now < p.startMs || this.now >= p.endMs) continue;
      if (groupOf(p, a) !== groupOf(p, b)) return false;
    }
    return true;
  }

  /**
   * What a node does with a message from a peer that is behind: sends it the decided blocks
   * it lacks (at most once per base timeout per peer), as a fetch answer it did not ask for.
   */
  private offerBlocks(node: SimNode, peer: number, fromHeight: number): void {
    const key = node.id * 1024 + peer;
    const last = this.lastOffer.get(key);
    if (last !== undefined && this.now - last < this.scenario.timeouts.baseMs) return;
    this.lastOffer.set(key, this.now);
    if (!this.reachable(node.validator, peer)) return;
    const blocks = this.blocksFrom(node, fromHeight);
    if (blocks.length === 0) return;
    const delay = this.rng.int(this.scenario.network.minDelayMs, this.scenario.network.maxDelayMs);
    for (const target of this.nodes) {
      if (target.validator === peer) {
        this.queue.push(this.now + delay, { kind: "fetched", node: target.id, blocks });
      }
    }
  }

  private blocksFrom(
    node: SimNode,
    fromHeight: number,
  ): { payload: Uint8Array; cert: CommitCertificate }[] {
    return node.ledger.slice(fromHeight - 1, fromHeight - 1 + FETCH_BATCH).map((b, i) => ({
      payload: b.payload,
      cert: node.certificates[fromHeight - 1 + i]!,
    }));
  }

  private serveFetch(node: SimNode, fromHeight: number): void {
    const peers = this.nodes.filter(
      (p) => p.up && p.validator !== node.validator && this.reachable(node.validator, p.validator),
    );
    if (peers.length === 0) return;
    const peer = this.rng.pick(peers);
    const blocks = this.blocksFrom(peer, fromHeight);
    if (blocks.length === 0) return;
    const delay =
      this.rng.int(this.scenario.network.minDelayMs, this.scenario.network.maxDelayMs) * 2;
    this.queue.push(this.now + delay, { kind: "fetched", node: node.id, blocks });
  }

  private onDecide(
    node: SimNode,
    height: number,
    payload: Uint8Array,
    cert: CommitCertificate,
  ): void {
    const certs = node.certificates;
    const hash = blockHash(payload);
    if (!this.isHonest(node.validator)) {
      // Faulty replicas may keep whatever chain they like; it is not checked.
      if (height === node.ledger.length + 1) {
        node.ledger.push({ payload, hash, time: decodeBlock(payload)?.time ?? SIM_EPOCH_MS });
        certs.push(cert);
      }
      return;
    }
    this.stats.decisions++;
    if (height !== node.ledger.length + 1) {
      this.violate(
        "gap",
        `node ${node.id} decided height ${height} with ledger at ${node.ledger.length}`,
      );
      return;
    }
    try {
      verifyCertificate(
        this.electionId,
        this.crypto.publicKeys,
        cert,
        this.crypto.verify,
        this.quorum,
      );
      if (cert.height !== height || !bytesEqual(cert.blockHash, hash)) {
        throw new Error("certificate is for another height or block");
      }
    } catch (err) {
      this.violate("certificate", `node ${node.id} height ${height}: ${(err as Error).message}`);
    }
    const hex = toHex(hash);
    const agreed = this.decidedHashes.get(height);
    if (agreed === undefined) this.decidedHashes.set(height, hex);
    else if (agreed !== hex) {
      this.violate(
        "agreement",
        `node ${node.id} decided ${hex.slice(0, 12)} at height ${height}, others ${agreed.slice(0, 12)}`,
      );
    }
    const block = decodeBlockOrThrow(payload);
    node.ledger.push({ payload, hash, time: block.time });
    certs.push(cert);
    if (agreed === undefined) this.checkBlockTime(block, hex);
    for (const tx of block.txs) {
      node.included.add(tx);
      if (!this.txDecidedAt.has(tx)) this.txDecidedAt.set(tx, this.now);
    }
  }

  /**
   * A decided block's time must have been within the bound of a correct clock at some
   * moment between its first appearance and now (docs/CONSENSUS.md, "What a committed
   * block's time means"); it holds while fewer than q validators lack a correct clock.
   */
  private checkBlockTime(block: SimBlock, hex: string): void {
    const clock = this.scenario.clock;
    if (clock === undefined) return;
    const correct = clock.offsetsMs.filter((_, v) => this.hasCorrectClock(v));
    if (correct.length === 0) return;
    const from = this.firstSeenAt.get(hex) ?? this.now;
    const low = SIM_EPOCH_MS + from + Math.min(...correct) - clock.maxSkewMs;
    const high = SIM_EPOCH_MS + this.now + Math.max(...correct) + clock.maxSkewMs;
    if (block.time < low || block.time > high) {
      this.violate(
        "clock",
        `block ${block.height} by ${block.proposer} has time ${block.time - SIM_EPOCH_MS} (sim ms), outside [${low - SIM_EPOCH_MS}, ${high - SIM_EPOCH_MS}] of the correct clocks`,
      );
    }
  }

  /**
   * Builds and proposes this node's block for its current height, if it has work; builds it
   * again once its time is more than half the clock bound old (as src/node/block-builder.ts),
   * since a view change proposes the candidate the engine holds.
   */
  maybePropose(node: SimNode): void {
    if (!node.up) return;
    const height = node.engine.height;
    const clock = this.scenario.clock;
    const now = this.clockOf(node.validator);
    const stale = clock !== undefined && now - node.candidateTime > clock.maxSkewMs / 2;
    if (node.candidateHeight === height && !stale) return;
    const txs: number[] = [];
    for (let tx = 1; tx <= this.submitted && txs.length < MAX_TXS_PER_BLOCK; tx++) {
      if (!node.included.has(tx)) txs.push(tx);
    }
    if (txs.length === 0) return;
    const block: SimBlock = {
      height,
      proposer: node.validator,
      nonce: node.nonce,
      time: Math.max(now, this.parentTime(node)),
      txs,
      invalid: false,
    };
    node.candidateHeight = height;
    node.candidateTime = block.time;
    const payload = encodeBlock(node.behaviour.shapeProposal(block));
    this.seen(payload);
    // A node ticks its engine continually; bring its clock up to now before proposing.
    const actions = node.engine.tick(this.now).concat(node.engine.propose(payload));
    for (const a of actions) this.execute(node, a);
    this.scheduleTick(node);
  }

  private honestNodes(): SimNode[] {
    return this.nodes.filter((n) => this.isHonest(n.validator));
  }

  private allDecidedEverywhere(): boolean {
    const total = this.scenario.txTimesMs.length;
    return this.honestNodes().every((n) => n.included.size === total);
  }

  private checkLiveness(deadline: number): void {
    const s = this.scenario;
    for (let tx = 1; tx <= s.txTimesMs.length; tx++) {
      const due = Math.max(s.txTimesMs[tx - 1]!, s.stableAtMs) + s.livenessBoundMs;
      const missing = this.honestNodes().filter((n) => !n.included.has(tx));
      const decidedAt = this.txDecidedAt.get(tx);
      if (missing.length > 0 || decidedAt === undefined || decidedAt > due) {
        this.violate(
          "liveness",
          `tx ${tx} (submitted at ${s.txTimesMs[tx - 1]} ms) not decided by ${due} ms at nodes ${missing.map((n) => n.id).join(",") || "-"} (ran to ${Math.min(this.now, deadline)} ms)`,
        );
        return;
      }
    }
  }

  private checkPrefixes(): void {
    const honest = this.honestNodes();
    for (const a of honest) {
      for (const b of honest) {
        const common = Math.min(a.ledger.length, b.ledger.length);
        for (let h = 0; h < common; h++) {
          if (!bytesEqual(a.ledger[h]!.hash, b.ledger[h]!.hash)) {
            this.violate("agreement", `nodes ${a.id} and ${b.id} differ at height ${h + 1}`);
            return;
          }
        }
      }
    }
  }

  violate(kind: Violation["kind"], detail: string): void {
    this.violations.push({ kind, atMs: this.now, detail });
  }

  /** f for this cluster. */
  get f(): number {
    return faultTolerance(this.scenario.n);
  }
}

function groupOf(p: Partition, validator: number): number {
  const i = p.groups.findIndex((g) => g.includes(validator));
  return Math.max(i, 0);
}

function decodeBlockOrThrow(payload: Uint8Array): SimBlock {
  const block = decodeBlock(payload);
  if (block === null) throw new Error("a decided block does not decode");
  return block;
}
