/** Prometheus metrics of one validator, each named with its unit. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export function createMetrics() {
  const registry = new Registry();
  // Process CPU, memory and event-loop lag: what an operator (and the benchmark) compares
  // against the verification workers' own CPU time below.
  collectDefaultMetrics({ register: registry, prefix: "saylau_" });
  const m = {
    registry,
    height: new Gauge({
      name: "saylau_ledger_height_blocks",
      help: "Height of the committed chain",
      registers: [registry],
    }),
    logSize: new Gauge({
      name: "saylau_ledger_transactions",
      help: "Transactions in the committed log",
      registers: [registry],
    }),
    view: new Gauge({
      name: "saylau_consensus_view",
      help: "Current consensus view at the current height",
      registers: [registry],
    }),
    mempool: new Gauge({
      name: "saylau_mempool_transactions",
      help: "Transactions pending in the pool",
      registers: [registry],
    }),
    mempoolBytes: new Gauge({
      name: "saylau_mempool_bytes",
      help: "Bytes pending in the pool",
      registers: [registry],
    }),
    peers: new Gauge({
      name: "saylau_p2p_peers_connected",
      help: "Validators with an open outbound stream",
      registers: [registry],
    }),
    committedTxs: new Counter({
      name: "saylau_committed_transactions_total",
      help: "Transactions committed",
      registers: [registry],
    }),
    committedBlocks: new Counter({
      name: "saylau_committed_blocks_total",
      help: "Blocks committed",
      registers: [registry],
    }),
    admitted: new Counter({
      name: "saylau_admitted_transactions_total",
      help: "Transactions admitted to the pool, by type",
      labelNames: ["type"],
      registers: [registry],
    }),
    rejected: new Counter({
      name: "saylau_rejected_transactions_total",
      help: "Transactions refused at admission, by error code",
      labelNames: ["code"],
      registers: [registry],
    }),
    commitLatency: new Histogram({
      name: "saylau_commit_latency_seconds",
      help: "Time from admission at this node to commit",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    verifySeconds: new Histogram({
      name: "saylau_verify_batch_seconds",
      help: "Worker time to verify one batch of transactions",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [registry],
    }),
    verifyCpuSeconds: new Counter({
      name: "saylau_verify_cpu_seconds_total",
      help: "CPU time the verification worker threads spent checking batches",
      registers: [registry],
    }),
    mainThreadCpuSeconds: new Gauge({
      name: "saylau_main_thread_cpu_seconds",
      help: "CPU time of the event-loop thread (the rest of the process CPU is the workers, LevelDB, GC)",
      registers: [registry],
      collect() {
        const cpu = process.threadCpuUsage();
        this.set((cpu.user + cpu.system) / 1e6);
      },
    }),
    eventLoopActiveSeconds: new Gauge({
      name: "saylau_event_loop_active_seconds",
      help: "Time the event loop has been busy rather than waiting for I/O (its rate is the event loop's utilization)",
      registers: [registry],
      collect() {
        this.set(performance.eventLoopUtilization().active / 1000);
      },
    }),
    verifyBatchSize: new Histogram({
      name: "saylau_verify_batch_transactions",
      help: "Transactions per verification batch",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    consensusDropped: new Counter({
      name: "saylau_consensus_dropped_messages_total",
      help: "Consensus inputs ignored, by reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
    apiRefused: new Counter({
      name: "saylau_api_refused_requests_total",
      help: "Requests refused by the per-client rate limit or load shedding, by error code",
      labelNames: ["code"],
      registers: [registry],
    }),
    peerMisbehaved: new Counter({
      name: "saylau_p2p_peer_misbehaviour_total",
      help: "Malformed or oversized frames received, by peer",
      labelNames: ["peer"],
      registers: [registry],
    }),
    framesDropped: new Counter({
      name: "saylau_p2p_frames_dropped_total",
      help: "Outbound frames dropped because a peer's queue was full",
      registers: [registry],
    }),
    evidence: new Counter({
      name: "saylau_consensus_equivocations_total",
      help: "Equivocation evidence stored, by who detected it (self: this validator; peer: received)",
      labelNames: ["source"],
      registers: [registry],
    }),
    evidenceRejected: new Counter({
      name: "saylau_evidence_rejected_total",
      help: "Evidence dropped because it does not decode or verify, by error code",
      labelNames: ["code"],
      registers: [registry],
    }),
  };
  return m;
}

export type NodeMetrics = ReturnType<typeof createMetrics>;
