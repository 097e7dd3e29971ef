/**
 * What the HTTP API's queries (NodeQueries) read from a validator. A type of its own so that
 * node-queries.ts does not import validator-node.ts, which constructs NodeQueries: the
 * imports then point one way.
 */
import type { VerifyPool } from "../verify/verify-pool.ts";
import type { SubmitResult } from "./api/service.ts";
import type { ConsensusDriver } from "./consensus-driver.ts";
import type { EvidenceGossip } from "./evidence-gossip.ts";
import type { LedgerReplica } from "./ledger-replica.ts";
import type { Mempool } from "./mempool.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { ValidatorNetwork } from "./p2p/validator-network.ts";

export interface NodeView {
  readonly self: number;
  /** The key ceremony's transcript, when the validator was given it. */
  readonly ceremony: Uint8Array | null;
  readonly replica: LedgerReplica;
  readonly mempool: Mempool;
  readonly metrics: NodeMetrics;
  readonly network: Pick<ValidatorNetwork, "connectedPeers">;
  readonly driver: Pick<ConsensusDriver, "engine" | "failure">;
  readonly evidence: Pick<EvidenceGossip, "pool">;
  /** The verification workers: the API sheds submissions on their backlog. */
  readonly pool: Pick<VerifyPool, "backlogMs">;
  /** Whether the node is fetching decided blocks it is missing. */
  readonly syncing: boolean;
  submit(bytes: Uint8Array, onlyType?: "ballot"): Promise<SubmitResult>;
}
