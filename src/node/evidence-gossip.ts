/**
 * Equivocation evidence travels between validators: what this validator's engine detects,
 * and what a peer sends in an `evidence` frame, is verified and stored by the EvidencePool,
 * and only evidence new to this validator is sent on to the other validators (except the
 * one it came from), so each proof crosses each link about once. Evidence that does not
 * decode or verify is dropped with a log line, counted by error code, and held against the
 * peer that sent it (honest peers verify before they send); nothing a peer sends can throw.
 */
import type { Logger } from "pino";
import { isSaylauError } from "../errors.ts";
import { EvidencePool } from "./evidence-pool.ts";
import type { LedgerReplica } from "./ledger-replica.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { ValidatorNetwork } from "./p2p/validator-network.ts";
import { encodeWire } from "./wire.ts";

export class EvidenceGossip {
  readonly pool: EvidencePool;
  readonly #self: number;
  readonly #validatorCount: number;
  readonly #network: Pick<ValidatorNetwork, "send">;
  readonly #metrics: NodeMetrics;
  readonly #log: Logger;

  constructor(
    replica: LedgerReplica,
    self: number,
    network: Pick<ValidatorNetwork, "send">,
    metrics: NodeMetrics,
    log: Logger,
  ) {
    const validators = replica.ctx.manifest.validators.map((v) => v.publicKey);
    this.pool = new EvidencePool(replica.store.db, replica.ctx.electionId, validators);
    this.#self = self;
    this.#validatorCount = validators.length;
    this.#network = network;
    this.#metrics = metrics;
    this.#log = log;
  }

  /** Loads the stored evidence; before any frame can arrive. */
  async load(): Promise<void> {
    const load = await this.pool.load();
    // `migrated`: written by an older version under sequence numbers, now under their ids;
    // `ignored`: entries that no longer verify or are past the bound.
    if (load.loaded > 0 || load.ignored > 0) this.#log.info(load, "stored evidence loaded");
  }

  /** Evidence this validator's consensus engine detected. */
  detected(bytes: Uint8Array): Promise<void> {
    return this.#offer(bytes, null);
  }

  /** An `evidence` frame from peer `from`; never throws. */
  received(from: number, bytes: Uint8Array): void {
    void this.#offer(bytes, from);
  }

  async #offer(bytes: Uint8Array, from: number | null): Promise<void> {
    const source = from === null ? "self" : "peer";
    try {
      const { outcome, stored } = await this.pool.offer(bytes);
      if (stored === undefined) {
        this.#log.debug({ peer: from, outcome }, "evidence not stored: held already or enough");
        return;
      }
      const { validator, phase, height, view } = stored.evidence;
      this.#metrics.evidence.inc({ source });
      this.#log.warn(
        { evidence: stored.id, validator, phase, height, view, from: from ?? "self" },
        "validator equivocated: evidence stored and sent to the other validators",
      );
      const frame = encodeWire({ kind: "evidence", evidence: bytes });
      for (let peer = 0; peer < this.#validatorCount; peer++) {
        if (peer !== this.#self && peer !== from) this.#network.send(peer, frame);
      }
    } catch (err) {
      if (!isSaylauError(err)) {
        this.#log.error({ err, peer: from }, "storing evidence failed");
        return;
      }
      this.#metrics.evidenceRejected.inc({ code: err.code });
      if (from !== null) this.#metrics.peerMisbehaved.inc({ peer: String(from) });
      this.#log.warn(
        { peer: from ?? "self", code: err.code, err: err.message },
        "evidence does not verify: dropped",
      );
    }
  }
}
