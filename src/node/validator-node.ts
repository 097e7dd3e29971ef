/**
 * The validator: the composition root that wires the ledger store, the election
 * cryptography, the consensus engine, the libp2p network, the pending pool, the
 * verification workers and the HTTP API together. Nothing below this file touches a clock,
 * a socket or the disk.
 */
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { setBounded } from "../bounded-map.ts";
import { decodeCertificate } from "../consensus/certificate.ts";
import { leaderOf } from "../consensus/quorum.ts";
import { bytesEqual, fromHex, toHex } from "../crypto/bytes.ts";
import { keyPairFromSeed, verifySignature } from "../crypto/ed25519.ts";
import { trackingCode } from "../election/tracking-code.ts";
import { SaylauError } from "../errors.ts";
import { isPhaseTransition } from "../ledger/apply.ts";
import { decodeBlock, encodeBlock } from "../ledger/block.ts";
import type { NextBlock } from "../ledger/chain.ts";
import { MAX_TX_BYTES } from "../ledger/limits.ts";
import { PREFIX } from "../ledger/store/keys.ts";
import { signingMessage, type Transaction, txId } from "../ledger/transactions.ts";
import { VerifyPool } from "../verify/verify-pool.ts";
import { buildApi } from "./api/app.ts";
import type { NodeConfig } from "./config.ts";
import { ConsensusDriver } from "./consensus-driver.ts";
import { ConsensusWal } from "./consensus-wal.ts";
import { LedgerReplica } from "./ledger-replica.ts";
import { Mempool } from "./mempool.ts";
import { createMetrics, type NodeMetrics } from "./metrics.ts";
import { NodeQueries } from "./node-queries.ts";
import { ValidatorNetwork } from "./p2p/validator-network.ts";
import {
  decodeWire,
  encodeWire,
  MAX_FRAME_BYTES,
  MAX_SYNC_BLOCKS,
  type WireMessage,
} from "./wire.ts";

/**
 * Candidate size for a replica that is not the leader: enough to arm its view timer and to
 * make progress should a view change make it leader (it then builds a full block). Kept
 * small because every replica builds one at every height: each transaction in it is decoded
 * and applied on the main thread only to be thrown away when the leader's block arrives.
 */
const FALLBACK_CANDIDATE_TXS = 32;
/** How far ahead of this node's clock a proposal's time may be. */
const MAX_CLOCK_SKEW_MS = 30_000;
const VERIFIED_CACHE_LIMIT = 500_000;
const SYNC_POLL_MS = 2000;
/** How long a voter whose ballot failed its proofs has its ballots checked before forwarding. */
const PROOF_FAILURE_MEMORY_MS = 10 * 60_000;
const PROOF_FAILURES_KEPT = 100_000;
/** Transactions forwarded again per poll, at most (see #reforwardLingering). */
const REFORWARD_BATCH = 256;
const FORWARD_LINGER_MS = 20;
/** Forwarded transactions one peer may have waiting for checks at once. */
const MAX_FORWARDED_IN_FLIGHT = 512;
/** Failed checks of a peer's forwarded transactions before it is muted, and for how long. */
const FORWARD_STRIKES_TO_MUTE = 32;
const FORWARD_MUTE_MS = 60_000;
/**
 * Failures an honest peer cannot cause: it forwards only what it checked itself (all of a
 * transaction's checks, or for a ballot its signature, election and credential; a ballot's
 * proofs are checked by every validator at once, so a bad proof is not the peer's fault).
 */
const PEER_FAULT_CODES = new Set([
  "ledger/bad_signature",
  "ledger/wrong_election",
  "ledger/bad_credential",
  "node/verify_failed",
]);

export interface StartOptions {
  readonly logger?: Logger;
}

export class ValidatorNode {
  readonly config: NodeConfig;
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  readonly self: number;
  readonly replica: LedgerReplica;
  readonly mempool: Mempool;
  readonly pool: VerifyPool;
  readonly network: ValidatorNetwork;
  readonly driver: ConsensusDriver;
  api!: FastifyInstance;
  /** Ids (hex) whose signature and proofs are verified, so blocks need not check them again. */
  readonly verified = new Set<string>();
  readonly #admittedAt = new Map<string, number>();
  /** Credentials whose ballot failed its proof check here, and when (see submit). */
  readonly #proofFailures = new Map<string, number>();
  /** When each pending transaction was last forwarded again (while the chain is idle). */
  readonly #reforwardedAt = new Map<string, number>();
  /** When this node last committed a block (or started). */
  #lastCommitAt = performance.now();
  readonly #validated = new Map<string, NextBlock>();
  #candidate: { height: number; full: boolean } | null = null;
  #building = false;
  #forwardQueue: Uint8Array[] = [];
  #forwardTimer: NodeJS.Timeout | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  #syncing = false;
  #lastOffered = new Map<number, number>();
  readonly #lastFetchServed = new Map<number, number>();
  readonly #forwardInflight = new Map<number, number>();
  readonly #strikes = new Map<number, number>();
  readonly #mutedUntil = new Map<number, number>();
  #stopping = false;
  #evidenceSeq = 0;

  private constructor(parts: {
    config: NodeConfig;
    log: Logger;
    metrics: NodeMetrics;
    self: number;
    replica: LedgerReplica;
    mempool: Mempool;
    pool: VerifyPool;
    network: ValidatorNetwork;
    driverFactory: (node: ValidatorNode) => ConsensusDriver;
  }) {
    this.config = parts.config;
    this.log = parts.log;
    this.metrics = parts.metrics;
    this.self = parts.self;
    this.replica = parts.replica;
    this.mempool = parts.mempool;
    this.pool = parts.pool;
    this.network = parts.network;
    this.driver = parts.driverFactory(this);
  }

  static async start(config: NodeConfig, options: StartOptions = {}): Promise<ValidatorNode> {
    const log =
      options.logger ?? pino({ level: config.logLevel, base: { node: config.p2pListen } });
    const manifestBytes = new Uint8Array(readFileSync(config.manifestFile));
    const seed = readSeed(config.keyFile);
    const replica = await LedgerReplica.open(config.dataDir, manifestBytes);
    let network: ValidatorNetwork | undefined;
    let pool: VerifyPool | undefined;
    try {
      const { manifest } = replica.ctx;
      const publicKey = keyPairFromSeed(seed).publicKey;
      const self = manifest.validators.findIndex((v) => bytesEqual(v.publicKey, publicKey));
      if (self < 0) {
        throw new SaylauError(
          "config/not_a_validator",
          `the key in ${config.keyFile} is not a validator of this election`,
        );
      }
      const metrics = createMetrics();
      const mempool = new Mempool(replica.store.db, {
        maxTxs: config.mempoolMaxTxs,
        maxBytes: config.mempoolMaxBytes,
      });
      const reloaded = await mempool.load(
        async (id) => (await replica.store.txLocation(id)) !== undefined,
      );
      pool = new VerifyPool({
        manifest: manifestBytes,
        workers: config.verifyWorkers,
        onBatch: (size, ms, cpuMs) => {
          metrics.verifyBatchSize.observe(size);
          metrics.verifySeconds.observe(ms / 1000);
          metrics.verifyCpuSeconds.inc(cpuMs / 1000);
        },
      });
      const peersByIndex = new Map(config.peers.map((p) => [p.index, p.address]));
      const missing = manifest.validators
        .map((_, i) => i)
        .filter((i) => i !== self && !peersByIndex.has(i));
      if (missing.length > 0) {
        throw new SaylauError(
          "config/missing_peer",
          `no address configured for validators ${missing.join(", ")}`,
        );
      }
      let node: ValidatorNode | undefined;
      network = new ValidatorNetwork({
        selfIndex: self,
        seed,
        listen: config.p2pListen,
        peers: manifest.validators.map((v, index) => ({
          index,
          publicKey: v.publicKey,
          address: peersByIndex.get(index) ?? config.p2pListen,
        })),
        maxFrameBytes: MAX_FRAME_BYTES,
        maxQueuedBytesPerPeer: 64 * 1024 * 1024,
        maxQueuedFramesPerPeer: 20_000,
        onFrame: (from, frame) => node?.onFrame(from, frame),
        onPeerMisbehaved: (from, reason) => {
          metrics.peerMisbehaved.inc({ peer: String(from) });
          log.warn({ peer: from, reason }, "peer sent a bad frame");
        },
        onPeerStatus: () => metrics.peers.set(network!.connectedPeers().length),
        onDropped: (_peer, n) => metrics.framesDropped.inc(n),
      });
      const wal = new ConsensusWal(replica.store.db, config.walSync);
      node = new ValidatorNode({
        config,
        log,
        metrics,
        self,
        replica,
        mempool,
        pool,
        network,
        driverFactory: (n) =>
          new ConsensusDriver({
            electionId: replica.ctx.electionId,
            validators: manifest.validators.map((v) => v.publicKey),
            self,
            seed,
            startHeight: replica.height + 1,
            timeoutMs: config.consensusTimeoutMs,
            wal,
            logger: log,
            hooks: n.driverHooks(),
          }),
      });
      try {
        await network.start();
      } catch (err) {
        throw new SaylauError(
          "config/port_in_use",
          `cannot listen for validators on ${config.p2pListen}: ${(err as Error).message}`,
        );
      }
      await node.driver.start();
      node.api = await buildApi(new NodeQueries(node), {
        logger: log.child({ component: "api" }),
        rateLimit:
          config.rateLimitPerMinute > 0
            ? { perMinute: config.rateLimitPerMinute, burst: config.rateLimitBurst }
            : undefined,
        overload: {
          maxVerifyWaitMs: config.overloadVerifyWaitMs,
          maxEventLoopUtilization: config.overloadEventLoopPercent / 100,
        },
        onRefused: (code) => node.metrics.apiRefused.inc({ code }),
      });
      try {
        await node.api.listen({ host: config.httpHost, port: config.httpPort });
      } catch (err) {
        throw new SaylauError(
          "config/port_in_use",
          `cannot serve HTTP on ${config.httpHost}:${config.httpPort}: ${(err as Error).message}`,
        );
      }
      node.#updateGauges();
      node.#scheduleSyncPoll();
      void node.#reverifyPending();
      log.info(
        {
          validator: self,
          height: replica.height,
          pending: reloaded,
          http: node.httpUrl,
          p2p: config.p2pListen,
        },
        "validator started",
      );
      node.#maybePropose();
      return node;
    } catch (err) {
      await network?.stop().catch(() => undefined);
      await pool?.close().catch(() => undefined);
      await replica.close().catch(() => undefined);
      throw err;
    }
  }

  get httpUrl(): string {
    const address = this.api?.server.address();
    if (address === null || address === undefined || typeof address === "string") return "";
    return `http://${this.config.httpHost}:${address.port}`;
  }

  get syncing(): boolean {
    return this.#syncing;
  }

  // ------------------------------------------------------------------ admission

  /**
   * Admission: the full validity check, then durable in the pool, then forwarded to the
   * other validators (a ballot from a client: before its proofs are checked, see below).
   */
  async submit(
    bytes: Uint8Array,
    onlyType?: "ballot",
    fromPeer = false,
  ): Promise<{ id: string; trackingCode: string; type: string }> {
    if (this.#stopping) throw new SaylauError("node/not_ready", "node is stopping");
    if (bytes.length > MAX_TX_BYTES) {
      throw new SaylauError(
        "codec/too_large",
        `transaction is ${bytes.length} bytes, limit ${MAX_TX_BYTES}`,
      );
    }
    const idBytes = txId(bytes);
    const id = toHex(idBytes);
    // A peer forwards again what lingers in its pool; what is pending here costs no decoding.
    if (fromPeer && this.mempool.has(id))
      throw new SaylauError("mempool/duplicate", `transaction ${id} is already pending`, { id });
    const { tx } = this.replica.decoded.decodeWithId(bytes, idBytes);
    if (onlyType !== undefined && tx.type !== onlyType) {
      throw new SaylauError(
        "api/invalid_request",
        `this endpoint takes ${onlyType} transactions, not ${tx.type}`,
      );
    }
    const reply = { id, trackingCode: trackingCode(idBytes), type: tx.type };
    if (this.mempool.has(id))
      throw new SaylauError("mempool/duplicate", `transaction ${id} is already pending`, { id });
    this.mempool.checkRoom(bytes.length);
    try {
      await this.#precheck(tx);
    } catch (err) {
      // Every kind of transaction, once committed, breaks a state rule if sent again; only
      // then is it worth a lookup to say precisely that it is a replay.
      if ((await this.replica.store.txLocation(idBytes)) !== undefined) {
        throw new SaylauError("ledger/duplicate_tx", `transaction ${id} is already in the ledger`, {
          id,
        });
      }
      throw err;
    }
    // A ballot's proofs cost far more than anything else here, and each validator checks
    // them itself: forward it now, so the other validators check it while this one does,
    // instead of after. Its signature is checked first, so what this node forwards is at
    // least signed by a registered voter (peers hold a bad signature against us, not a bad
    // proof). Other transactions are cheap to check and are forwarded once admitted.
    // A voter whose ballot recently failed its proof check is not given that head start:
    // otherwise one voter could make every validator check bad proofs, ballot after ballot.
    const forwardEarly =
      !fromPeer &&
      tx.type === "ballot" &&
      !this.verified.has(id) &&
      !this.#recentProofFailure(tx.credential);
    if (forwardEarly) {
      if (!verifySignature(tx.credential, signingMessage(tx), tx.sig, true)) {
        throw new SaylauError("ledger/bad_signature", "ballot signature does not verify");
      }
      this.#forward(bytes);
    }
    if (!this.verified.has(id)) {
      const verdict = await this.pool.verify(bytes, id);
      if (!verdict.ok) {
        this.metrics.rejected.inc({ code: verdict.code ?? "unknown" });
        if (tx.type === "ballot" && (verdict.code ?? "").startsWith("election/")) {
          this.#noteProofFailure(tx.credential);
        }
        throw new SaylauError(
          verdict.code ?? "node/verify_failed",
          verdict.message ?? "transaction does not verify",
        );
      }
      this.#markVerified(id);
    }
    const added = await this.mempool.add(id, bytes);
    if (!added)
      throw new SaylauError("mempool/duplicate", `transaction ${id} is already pending`, { id });
    this.#admittedAt.set(id, performance.now());
    this.metrics.admitted.inc({ type: tx.type });
    this.metrics.mempool.set(this.mempool.size);
    if (!fromPeer && !forwardEarly) this.#forward(bytes);
    this.#maybePropose();
    return reply;
  }

  /**
   * Cheap checks against the committed state, before the expensive proof check. Pending
   * transactions are not taken into account: block building settles conflicts among them.
   */
  async #precheck(tx: Transaction): Promise<void> {
    const state = this.replica.tip.state;
    if (!bytesEqual(tx.electionId, this.replica.ctx.electionId)) {
      throw new SaylauError("ledger/wrong_election", "transaction is for another election");
    }
    switch (tx.type) {
      case "ballot": {
        if (state.phase !== "open")
          throw new SaylauError("ledger/wrong_phase", `polls are ${state.phase}`);
        const [record] = await this.replica.credentials([tx.credential]);
        if (record === null || record === undefined) {
          throw new SaylauError("ledger/unknown_credential", "credential is not registered");
        }
        if (record.seq !== null && tx.seq <= record.seq) {
          throw new SaylauError(
            "ledger/stale_ballot",
            `seq ${tx.seq} is not above the counted ${record.seq}`,
          );
        }
        return;
      }
      case "register": {
        if (state.phase === "closed")
          throw new SaylauError("ledger/wrong_phase", "polls are closed");
        const records = await this.replica.credentials(tx.credentials);
        const taken = records.findIndex((r) => r !== null);
        if (taken >= 0) {
          throw new SaylauError(
            "ledger/duplicate_credential",
            `credential ${toHex(tx.credentials[taken]!)} is already registered`,
          );
        }
        return;
      }
      case "decryption":
        if (state.phase !== "closed")
          throw new SaylauError("ledger/wrong_phase", "polls are not closed yet");
        if (state.result !== null)
          throw new SaylauError("ledger/already_tallied", "the result is already decrypted");
        if (state.decryptions.some((d) => d.trustee === tx.share.trustee)) {
          throw new SaylauError(
            "ledger/duplicate_share",
            `trustee ${tx.share.trustee} has already decrypted`,
          );
        }
        return;
      case "phase": {
        if (!isPhaseTransition(state.phase, tx.phase))
          throw new SaylauError(
            "ledger/bad_phase_transition",
            `cannot move from ${state.phase} to ${tx.phase}`,
          );
        return;
      }
    }
  }

  #recentProofFailure(credential: Uint8Array): boolean {
    const at = this.#proofFailures.get(toHex(credential));
    return at !== undefined && performance.now() - at < PROOF_FAILURE_MEMORY_MS;
  }

  #noteProofFailure(credential: Uint8Array): void {
    const hex = toHex(credential);
    this.#proofFailures.delete(hex); // re-inserted as the newest
    setBounded(this.#proofFailures, hex, performance.now(), PROOF_FAILURES_KEPT);
  }

  /** Pending transactions reloaded after a restart are checked again before they are proposed. */
  async #reverifyPending(): Promise<void> {
    const pending = this.mempool.candidates(
      Number.MAX_SAFE_INTEGER,
      (id) => !this.verified.has(id),
    );
    if (pending.length === 0) return;
    const verdicts = await this.pool.verifyAll(
      pending,
      pending.map((t) => toHex(txId(t))),
    );
    const bad: { id: string; code: string; message: string }[] = [];
    verdicts.forEach((v, i) => {
      const id = toHex(txId(pending[i]!));
      if (v.ok) this.#markVerified(id);
      else
        bad.push({
          id,
          code: v.code ?? "node/verify_failed",
          message: v.message ?? "transaction does not verify",
        });
    });
    await this.mempool.drop(bad);
    this.#maybePropose();
  }

  #markVerified(id: string): void {
    if (this.verified.size >= VERIFIED_CACHE_LIMIT) {
      const oldest = this.verified.values().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.add(id);
  }

  #forward(bytes: Uint8Array): void {
    this.#forwardQueue.push(bytes);
    if (this.#forwardQueue.length >= 256) {
      this.#flushForward();
      return;
    }
    if (this.#forwardTimer === undefined) {
      this.#forwardTimer = setTimeout(() => this.#flushForward(), FORWARD_LINGER_MS);
    }
  }

  #flushForward(): void {
    if (this.#forwardTimer !== undefined) clearTimeout(this.#forwardTimer);
    this.#forwardTimer = undefined;
    while (this.#forwardQueue.length > 0) {
      const txs = this.#forwardQueue.splice(0, 256);
      this.network.broadcast(encodeWire({ kind: "txs", txs }));
    }
  }

  // ------------------------------------------------------------------ network input

  /**
   * Transactions a peer forwards are checked like a client's, but a peer must not be able to
   * keep this node's workers busy with transactions that cannot verify: each peer has a
   * bounded number in flight, and one whose transactions fail their signature checks or do
   * not decode too often is not listened to for a while (honest peers forward only what they
   * checked themselves; state conflicts such as a stale seq, and ballot proofs, which every
   * validator checks at the same time, are not held against them).
   */
  #admitForwarded(from: number, txs: readonly Uint8Array[]): void {
    const now = performance.now();
    const mutedUntil = this.#mutedUntil.get(from) ?? 0;
    if (now < mutedUntil) return;
    let inflight = this.#forwardInflight.get(from) ?? 0;
    for (const tx of txs) {
      if (inflight >= MAX_FORWARDED_IN_FLIGHT) {
        this.metrics.peerMisbehaved.inc({ peer: String(from) });
        return;
      }
      inflight++;
      this.#forwardInflight.set(from, inflight);
      this.submit(tx, undefined, true)
        .catch((err: Error) => {
          const code = (err as SaylauError).code ?? "";
          // Not proof failures: ballots are forwarded before their proofs are checked.
          if (PEER_FAULT_CODES.has(code) || code.startsWith("codec/")) {
            this.metrics.peerMisbehaved.inc({ peer: String(from) });
            const strikes = (this.#strikes.get(from) ?? 0) + 1;
            this.#strikes.set(from, strikes);
            if (strikes >= FORWARD_STRIKES_TO_MUTE) {
              this.#strikes.set(from, 0);
              this.#mutedUntil.set(from, performance.now() + FORWARD_MUTE_MS);
              this.log.warn(
                { peer: from, strikes },
                "peer forwards transactions that do not verify; ignoring its forwards for a while",
              );
            }
          }
          this.log.debug({ peer: from, err: err.message }, "forwarded transaction not admitted");
        })
        .finally(() => {
          this.#forwardInflight.set(from, (this.#forwardInflight.get(from) ?? 1) - 1);
        });
    }
  }

  onFrame(from: number, frame: Uint8Array): void {
    let message: WireMessage;
    try {
      message = decodeWire(frame);
    } catch (err) {
      this.metrics.peerMisbehaved.inc({ peer: String(from) });
      this.log.warn({ peer: from, err: (err as Error).message }, "undecodable frame from peer");
      return;
    }
    switch (message.kind) {
      case "consensus":
        this.driver.step(message.message);
        return;
      case "txs":
        this.#admitForwarded(from, message.txs);
        return;
      case "fetch": {
        // One block request per peer per 100 ms: each one costs reads and a large reply.
        const last = this.#lastFetchServed.get(from) ?? 0;
        if (performance.now() - last < 100) return;
        this.#lastFetchServed.set(from, performance.now());
        void this.#serveBlocks(from, message.fromHeight, message.max);
        return;
      }
      case "blocks":
        void this.#applyFetched(from, message.blocks, message.head);
        return;
    }
  }

  async #serveBlocks(to: number, fromHeight: number, max: number): Promise<void> {
    const head = this.replica.height;
    const blocks: { block: Uint8Array; certificate: Uint8Array }[] = [];
    const last = Math.min(head, fromHeight + Math.min(max, MAX_SYNC_BLOCKS) - 1);
    for (let h = Math.max(1, fromHeight); h <= last; h++) {
      const block = await this.replica.store.blockBytes(h);
      const certificate = await this.replica.store.certificate(h);
      if (block === undefined || certificate === undefined) break;
      blocks.push({ block, certificate });
    }
    this.network.send(to, encodeWire({ kind: "blocks", blocks, head }));
  }

  async #applyFetched(
    from: number,
    blocks: { block: Uint8Array; certificate: Uint8Array }[],
    head: number,
  ): Promise<void> {
    for (const { block, certificate } of blocks) {
      let height: number;
      let cert: ReturnType<typeof decodeCertificate>;
      try {
        height = decodeBlock(block).header.height;
        cert = decodeCertificate(certificate);
      } catch (err) {
        this.log.warn(
          { peer: from, err: (err as Error).message },
          "peer sent an undecodable block",
        );
        return;
      }
      if (height !== this.driver.engine.height) continue;
      await this.driver.deliverDecided({ height, payload: block, certificate: cert });
    }
    this.#syncing = head > this.replica.height;
    if (this.#syncing) this.#requestBlocks(this.replica.height + 1, from);
  }

  #requestBlocks(fromHeight: number, to: number | "all"): void {
    const frame = encodeWire({ kind: "fetch", fromHeight, max: MAX_SYNC_BLOCKS });
    if (to === "all") this.network.broadcast(frame);
    else this.network.send(to, frame);
  }

  /**
   * A transaction is forwarded once, at admission; a validator that was disconnected then (or
   * restarted, reloading its pool) may hold transactions the others never got, and only a
   * leader that has a transaction proposes it. The consensus engine no longer changes view on
   * one validator's word (see docs/CONSENSUS.md), so such a transaction would wait until this
   * validator leads, and while nothing else is committed the height, and so the leader, do
   * not change. So when no block has been committed for `reforwardAfterMs`, what is pending
   * here is sent again, each transaction at most once per `reforwardAfterMs` (peers that have
   * it drop it as a duplicate), at most REFORWARD_BATCH per poll. While blocks are being
   * committed the leader rotates with the height and this validator proposes its own
   * pending transactions in its turn.
   */
  #reforwardLingering(): void {
    const now = performance.now();
    const sent = this.#reforwardedAt;
    if (now - this.#lastCommitAt < this.config.reforwardAfterMs) {
      sent.clear();
      return;
    }
    for (const id of sent.keys()) if (!this.mempool.has(id)) sent.delete(id);
    const again: Uint8Array[] = [];
    for (const [id, bytes] of this.mempool.entries()) {
      if (again.length >= REFORWARD_BATCH) break;
      const last = sent.get(id);
      if (last === undefined || now - last >= this.config.reforwardAfterMs) {
        again.push(bytes);
        sent.set(id, now);
      }
    }
    if (again.length === 0) return;
    this.log.info({ txs: again.length }, "forwarding lingering pending transactions again");
    for (const bytes of again) this.#forward(bytes);
  }

  #scheduleSyncPoll(): void {
    // Idle validators exchange no consensus messages, so a node that restarted behind would
    // not learn it is behind: ask the peers for anything above our head now and then.
    this.#syncTimer = setTimeout(() => {
      this.#requestBlocks(this.replica.height + 1, "all");
      this.#reforwardLingering();
      this.#scheduleSyncPoll();
    }, SYNC_POLL_MS);
    this.#syncTimer.unref();
  }

  // ------------------------------------------------------------------ consensus hooks

  driverHooks() {
    return {
      send: (to: number | "all", bytes: Uint8Array) => {
        const frame = encodeWire({ kind: "consensus", message: bytes });
        if (to === "all") this.network.broadcast(frame);
        else this.network.send(to, frame);
      },
      validate: (height: number, blockHash: Uint8Array, payload: Uint8Array) =>
        this.#validateProposal(height, blockHash, payload),
      commit: (
        height: number,
        payload: Uint8Array,
        certificate: Uint8Array,
        blockHash: Uint8Array,
      ) => this.#commit(height, payload, certificate, blockHash),
      fetch: (fromHeight: number) => {
        this.#syncing = true;
        this.#requestBlocks(fromHeight, "all");
      },
      peerBehind: (peer: number, height: number) => {
        const last = this.#lastOffered.get(peer) ?? 0;
        if (performance.now() - last < 1000) return;
        this.#lastOffered.set(peer, performance.now());
        void this.#serveBlocks(peer, height, MAX_SYNC_BLOCKS);
      },
      evidence: async (encoded: Uint8Array) => {
        this.metrics.evidence.inc();
        const key = new Uint8Array(9);
        key[0] = PREFIX.evidence;
        new DataView(key.buffer).setUint32(5, this.#evidenceSeq++);
        await this.replica.store.db.put(key, encoded);
      },
      dropped: (reason: string) => this.metrics.consensusDropped.inc({ reason }),
      settled: () => {
        this.#updateGauges();
        this.#maybePropose();
      },
    };
  }

  /** Verify what was not verified yet, then validate the block on top of the tip. */
  async #prepare(payload: Uint8Array): Promise<NextBlock> {
    const block = decodeBlock(payload);
    const ids = block.txs.map((t) => toHex(txId(t)));
    const pending = ids.flatMap((id, i) =>
      this.verified.has(id) ? [] : [{ id, tx: block.txs[i]! }],
    );
    if (pending.length > 0) {
      // Urgent: the block waits on these, and a check already queued for one is shared.
      const verdicts = await this.pool.verifyAll(
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
      for (const p of pending) this.#markVerified(p.id);
    }
    return this.replica.validate(block, this.verified);
  }

  async #validateProposal(
    height: number,
    blockHash: Uint8Array,
    payload: Uint8Array,
  ): Promise<boolean> {
    try {
      if (height !== this.replica.height + 1) return false;
      const next = await this.#prepare(payload);
      if (!bytesEqual(next.hash, blockHash)) return false;
      if (next.block.header.time > Date.now() + MAX_CLOCK_SKEW_MS) {
        this.log.warn({ height }, "proposal time is too far in the future");
        return false;
      }
      this.#validated.set(toHex(blockHash), next);
      return true;
    } catch (err) {
      this.log.warn({ height, err: (err as Error).message }, "proposal rejected");
      return false;
    }
  }

  async #commit(
    height: number,
    payload: Uint8Array,
    certificate: Uint8Array,
    blockHash: Uint8Array,
  ): Promise<void> {
    if (height !== this.replica.height + 1) {
      throw new SaylauError(
        "node/bad_decision",
        `decided height ${height} but the ledger is at ${this.replica.height}`,
      );
    }
    let next = this.#validated.get(toHex(blockHash));
    if (next === undefined || !bytesEqual(next.block.header.prevHash, this.replica.tip.hash)) {
      next = await this.#prepare(payload);
    }
    await this.replica.commit(next, certificate);
    this.#validated.clear();
    this.#candidate = null;
    const ids = next.block.txs.map((t) => toHex(txId(t)));
    this.replica.decoded.forget(ids);
    this.#lastCommitAt = performance.now();
    await this.mempool.remove(ids);
    const now = performance.now();
    for (const id of ids) {
      const at = this.#admittedAt.get(id);
      if (at !== undefined) {
        this.metrics.commitLatency.observe((now - at) / 1000);
        this.#admittedAt.delete(id);
      }
    }
    this.metrics.committedTxs.inc(ids.length);
    this.metrics.committedBlocks.inc();
    this.log.info({ height, txs: ids.length, pending: this.mempool.size }, "block committed");
  }

  // ------------------------------------------------------------------ block production

  /**
   * The leader of the current view proposes a full block as soon as work is pending; the
   * other replicas hand the engine a small candidate, which arms their view-change timer
   * and is what they propose should a view change make them leader.
   */
  #maybePropose(): void {
    if (
      this.#building ||
      this.#stopping ||
      this.mempool.size === 0 ||
      this.driver.failure !== undefined
    )
      return;
    const engine = this.driver.engine;
    const height = engine.height;
    if (height !== this.replica.height + 1) return; // still applying a decision
    const view = engine.pendingView ?? engine.view;
    const leader =
      leaderOf(height, view, this.replica.ctx.manifest.validators.length) === this.self;
    const have = this.#candidate;
    if (have !== null && have.height === height && (have.full || !leader)) return;
    this.#building = true;
    const limit = leader ? this.config.blockMaxTxs : FALLBACK_CANDIDATE_TXS;
    // Only transactions whose checks are done: a block of unchecked ones would make this
    // node check them inline, and the others wait for it past their view timers.
    const candidates = this.mempool.candidates(limit, (id) => this.verified.has(id));
    if (candidates.length === 0) {
      this.#building = false;
      // Pending but unchecked (reloaded after a restart, or evicted from the cache): check them.
      void this.#reverifyPending();
      return;
    }
    this.replica
      .propose(candidates, {
        time: Math.max(Date.now(), this.replica.tip.header.time),
        proposer: this.self,
        verified: this.verified,
        maxTxs: limit,
      })
      .then(async (built) => {
        if (built.rejected.length > 0) {
          const dropped = built.rejected.map((r) => ({
            id: toHex(txId(candidates[r.index]!)),
            code: r.error.code,
            message: r.error.message,
          }));
          this.log.info(
            { dropped: built.rejected.map((r) => r.error.code) },
            "pending transactions no longer apply",
          );
          this.replica.decoded.forget(dropped.map((d) => d.id));
          await this.mempool.drop(dropped);
        }
        if (height !== this.driver.engine.height || built.block.txs.length === 0) return;
        this.#candidate = { height, full: leader };
        this.#validated.set(toHex(built.hash), built);
        this.driver.propose(encodeBlock(built.block));
      })
      .catch((err: Error) => this.log.error({ err }, "building a block failed"))
      .finally(() => {
        this.#building = false;
      });
  }

  #updateGauges(): void {
    this.metrics.height.set(this.replica.height);
    this.metrics.logSize.set(this.replica.tip.header.logSize);
    this.metrics.view.set(this.driver.engine.view);
    this.metrics.mempool.set(this.mempool.size);
    this.metrics.mempoolBytes.set(this.mempool.bytes);
    this.metrics.peers.set(this.network.connectedPeers().length);
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#syncTimer !== undefined) clearTimeout(this.#syncTimer);
    if (this.#forwardTimer !== undefined) clearTimeout(this.#forwardTimer);
    await this.api?.close().catch(() => undefined);
    await this.driver.stop();
    await this.network.stop().catch(() => undefined);
    await this.pool.close();
    await this.replica.close();
    this.log.info("validator stopped");
  }
}

function readSeed(file: string): Uint8Array {
  const text = readFileSync(file, "utf8").trim();
  try {
    return fromHex(text, 32);
  } catch {
    throw new SaylauError(
      "config/bad_key",
      `${file} must hold a 32-byte ed25519 seed as 64 lowercase hex digits`,
    );
  }
}
