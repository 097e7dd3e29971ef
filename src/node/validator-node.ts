/**
 * The validator: the composition root that wires the ledger store, the election
 * cryptography, the consensus engine, the libp2p network, the pending pool, the
 * verification workers and the HTTP API together, and starts and stops them. The work is
 * done by the parts it wires: Admission (admission.ts), Forwarder (forwarding.ts),
 * BlockSync (block-sync.ts) and BlockBuilder (block-builder.ts). Nothing below this file
 * touches a clock, a socket or the disk.
 */
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { SaylauError } from "../errors.ts";
import { VerifyPool } from "../verify/verify-pool.ts";
import { Admission } from "./admission.ts";
import { buildApi } from "./api/app.ts";
import type { SubmitResult } from "./api/service.ts";
import { BlockBuilder } from "./block-builder.ts";
import { BlockSync } from "./block-sync.ts";
import { readCeremonyTranscript } from "./ceremony-file.ts";
import { CommitLatency } from "./commit-latency.ts";
import type { NodeConfig } from "./config.ts";
import { ConsensusDriver, type DriverHooks } from "./consensus-driver.ts";
import { ConsensusWal } from "./consensus-wal.ts";
import { driverHooks } from "./driver-hooks.ts";
import { EvidenceGossip } from "./evidence-gossip.ts";
import { Forwarder } from "./forwarding.ts";
import type { LedgerReplica } from "./ledger-replica.ts";
import { Mempool } from "./mempool.ts";
import { createMetrics, type NodeMetrics } from "./metrics.ts";
import { NodeQueries } from "./node-queries.ts";
import type { NodeView } from "./node-view.ts";
import { openLedger } from "./open-ledger.ts";
import { ValidatorNetwork } from "./p2p/validator-network.ts";
import { peerAddresses, readSeed, validatorIndex } from "./startup-checks.ts";
import { SnapshotServer } from "./state-sync-serve.ts";
import { decodeWire, MAX_FRAME_BYTES, type WireMessage } from "./wire.ts";

export interface StartOptions {
  readonly logger?: Logger;
  /** The node's clock, ms since the epoch (default Date.now); tests skew it. */
  readonly now?: () => number;
}

export class ValidatorNode implements NodeView {
  readonly config: NodeConfig;
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  readonly self: number;
  /** The ceremony transcript this validator was given (checked at start), or null. */
  readonly ceremony: Uint8Array | null;
  readonly replica: LedgerReplica;
  readonly mempool: Mempool;
  readonly pool: VerifyPool;
  readonly network: ValidatorNetwork;
  readonly driver: ConsensusDriver;
  readonly evidence: EvidenceGossip;
  api!: FastifyInstance;
  /** Ids (hex) whose signature and proofs are verified, so blocks need not check them again. */
  readonly verified = new Set<string>();
  readonly #admission: Admission;
  readonly #forwarder: Forwarder;
  readonly #sync: BlockSync;
  readonly #builder: BlockBuilder;
  #stopping = false;

  private constructor(parts: {
    config: NodeConfig;
    log: Logger;
    metrics: NodeMetrics;
    self: number;
    replica: LedgerReplica;
    ceremony: Uint8Array | null;
    mempool: Mempool;
    pool: VerifyPool;
    network: ValidatorNetwork;
    driverFactory: (hooks: DriverHooks) => ConsensusDriver;
    now: (() => number) | undefined;
  }) {
    this.config = parts.config;
    this.log = parts.log;
    this.metrics = parts.metrics;
    this.self = parts.self;
    this.replica = parts.replica;
    this.ceremony = parts.ceremony;
    this.mempool = parts.mempool;
    this.pool = parts.pool;
    this.network = parts.network;
    this.evidence = new EvidenceGossip(
      this.replica,
      this.self,
      this.network,
      this.metrics,
      this.log,
    );
    // The hooks call into the parts below; the driver calls them only once started.
    this.driver = parts.driverFactory(
      driverHooks({
        network: this.network,
        evidence: this.evidence,
        metrics: this.metrics,
        builder: () => this.#builder,
        sync: () => this.#sync,
        settled: () => this.#updateGauges(),
      }),
    );
    const common = { replica: this.replica, mempool: this.mempool, metrics: this.metrics };
    const latency = new CommitLatency(this.metrics);
    const isStopping = () => this.#stopping;
    this.#admission = new Admission({
      ...common,
      pool: this.pool,
      verified: this.verified,
      latency,
      isStopping,
      forward: (bytes) => this.#forwarder.forward(bytes),
      onPending: () => this.#builder.maybePropose(),
    });
    this.#builder = new BlockBuilder({
      ...common,
      self: this.self,
      blockMaxTxs: this.config.blockMaxTxs,
      maxClockSkewMs: this.config.maxClockSkewMs,
      ...(parts.now === undefined ? {} : { now: parts.now }),
      log: this.log,
      pool: this.pool,
      verified: this.verified,
      driver: this.driver,
      latency,
      isStopping,
      reverifyPending: () => void this.#admission.reverifyPending(),
    });
    this.#forwarder = new Forwarder({
      network: this.network,
      mempool: this.mempool,
      metrics: this.metrics,
      log: this.log,
      reforwardAfterMs: this.config.reforwardAfterMs,
      admit: (tx) => this.#admission.submit(tx, undefined, true),
      lastCommitAt: () => this.#builder.lastCommitAt,
    });
    this.#sync = new BlockSync({
      replica: this.replica,
      network: this.network,
      driver: this.driver,
      log: this.log,
      onPoll: () => this.#forwarder.reforwardLingering(),
    });
  }

  static async start(config: NodeConfig, options: StartOptions = {}): Promise<ValidatorNode> {
    const log =
      options.logger ?? pino({ level: config.logLevel, base: { node: config.p2pListen } });
    const manifestBytes = new Uint8Array(readFileSync(config.manifestFile));
    const seed = readSeed(config.keyFile);
    const { replica, silentThrough } = await openLedger(config.dataDir, manifestBytes, log);
    let network: ValidatorNetwork | undefined;
    let pool: VerifyPool | undefined;
    try {
      const { manifest } = replica.ctx;
      const self = validatorIndex(manifest, seed, config.keyFile);
      const ceremony = readCeremonyTranscript(config.ceremonyFile, manifest);
      const metrics = createMetrics();
      const mempool = new Mempool(
        replica.store.db,
        { maxTxs: config.mempoolMaxTxs, maxBytes: config.mempoolMaxBytes },
        config.mempoolSync,
      );
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
      const peersByIndex = peerAddresses(config, manifest, self);
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
        ceremony,
        mempool,
        pool,
        network,
        now: options.now,
        driverFactory: (hooks) =>
          new ConsensusDriver({
            electionId: replica.ctx.electionId,
            validators: manifest.validators.map((v) => v.publicKey),
            self,
            seed,
            startHeight: replica.height + 1,
            timeoutMs: config.consensusTimeoutMs,
            wal,
            logger: log,
            hooks,
            silentThrough,
          }),
      });
      await node.evidence.load();
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
        snapshots: new SnapshotServer(replica.store, { log: log.child({ component: "snapshot" }) }),
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
      node.#sync.start();
      void node.#admission.reverifyPending();
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
      node.#builder.maybePropose();
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
    return this.#sync.syncing;
  }

  /** Admission of a client's transaction (or, with fromPeer, a peer's): see admission.ts. */
  submit(bytes: Uint8Array, onlyType?: "ballot", fromPeer = false): Promise<SubmitResult> {
    return this.#admission.submit(bytes, onlyType, fromPeer);
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
        this.#forwarder.admitForwarded(from, message.txs);
        return;
      case "fetch":
        this.#sync.onFetch(from, message.fromHeight, message.max);
        return;
      case "blocks":
        this.#sync.onBlocks(from, message.blocks, message.head);
        return;
      case "evidence":
        this.evidence.received(from, message.evidence);
        return;
    }
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
    this.#sync.stop();
    this.#forwarder.stop();
    await this.api?.close().catch(() => undefined);
    await this.driver.stop();
    await this.network.stop().catch(() => undefined);
    await this.pool.close();
    await this.replica.close();
    this.log.info("validator stopped");
  }
}
