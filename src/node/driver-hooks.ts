/**
 * What the consensus driver's hooks do on a validator: consensus messages go out over the
 * network, proposals are validated and decisions committed by the BlockBuilder, missing or
 * lagging blocks are left to BlockSync, and evidence of equivocation goes to EvidenceGossip,
 * which stores it and passes it on.
 */
import type { BlockBuilder } from "./block-builder.ts";
import type { BlockSync } from "./block-sync.ts";
import type { DriverHooks } from "./consensus-driver.ts";
import type { EvidenceGossip } from "./evidence-gossip.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { ValidatorNetwork } from "./p2p/validator-network.ts";
import { encodeWire } from "./wire.ts";

export interface HookedParts {
  readonly network: Pick<ValidatorNetwork, "send" | "broadcast">;
  readonly evidence: Pick<EvidenceGossip, "detected">;
  readonly metrics: NodeMetrics;
  /** Getters: the hooks are made before the parts, and called only once the driver runs. */
  readonly builder: () => BlockBuilder;
  readonly sync: () => BlockSync;
  /** After every driver input (gauges). */
  readonly settled: () => void;
}

export function driverHooks(parts: HookedParts): DriverHooks {
  const { network, evidence, metrics } = parts;
  return {
    send: (to, bytes) => {
      const frame = encodeWire({ kind: "consensus", message: bytes });
      if (to === "all") network.broadcast(frame);
      else network.send(to, frame);
    },
    validate: (height, blockHash, payload, reproposal, waitedMs) =>
      parts.builder().validateProposal(height, blockHash, payload, reproposal, waitedMs),
    commit: (height, payload, certificate, blockHash) =>
      parts.builder().commit(height, payload, certificate, blockHash),
    fetch: (fromHeight) => parts.sync().fetch(fromHeight),
    peerBehind: (peer, height) => parts.sync().offer(peer, height),
    evidence: (encoded) => evidence.detected(encoded),
    dropped: (reason) => metrics.consensusDropped.inc({ reason }),
    settled: () => {
      parts.settled();
      parts.builder().maybePropose();
    },
  };
}
