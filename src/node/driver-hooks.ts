/**
 * What the consensus driver's hooks do on a validator: consensus messages go out over the
 * network, proposals are validated and decisions committed by the BlockBuilder, missing or
 * lagging blocks are left to BlockSync, and evidence of equivocation is stored.
 */
import { PREFIX } from "../ledger/store/keys.ts";
import type { BlockBuilder } from "./block-builder.ts";
import type { BlockSync } from "./block-sync.ts";
import type { DriverHooks } from "./consensus-driver.ts";
import type { LedgerReplica } from "./ledger-replica.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { ValidatorNetwork } from "./p2p/validator-network.ts";
import { encodeWire } from "./wire.ts";

export interface HookedParts {
  readonly network: Pick<ValidatorNetwork, "send" | "broadcast">;
  readonly replica: LedgerReplica;
  readonly metrics: NodeMetrics;
  /** Getters: the hooks are made before the parts, and called only once the driver runs. */
  readonly builder: () => BlockBuilder;
  readonly sync: () => BlockSync;
  /** After every driver input (gauges). */
  readonly settled: () => void;
}

export function driverHooks(parts: HookedParts): DriverHooks {
  const { network, replica, metrics } = parts;
  let evidenceSeq = 0;
  return {
    send: (to, bytes) => {
      const frame = encodeWire({ kind: "consensus", message: bytes });
      if (to === "all") network.broadcast(frame);
      else network.send(to, frame);
    },
    validate: (height, blockHash, payload) =>
      parts.builder().validateProposal(height, blockHash, payload),
    commit: (height, payload, certificate, blockHash) =>
      parts.builder().commit(height, payload, certificate, blockHash),
    fetch: (fromHeight) => parts.sync().fetch(fromHeight),
    peerBehind: (peer, height) => parts.sync().offer(peer, height),
    evidence: async (encoded) => {
      metrics.evidence.inc();
      const key = new Uint8Array(9);
      key[0] = PREFIX.evidence;
      new DataView(key.buffer).setUint32(5, evidenceSeq++);
      await replica.store.db.put(key, encoded);
    },
    dropped: (reason) => metrics.consensusDropped.inc({ reason }),
    settled: () => {
      parts.settled();
      parts.builder().maybePropose();
    },
  };
}
