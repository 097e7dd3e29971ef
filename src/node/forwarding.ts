/**
 * Transactions between validators: forwarding what this node admitted (batched into `txs`
 * frames), forwarding again what lingers in the pool while no block is committed, and
 * admitting what peers forward, with per-peer limits.
 */
import type { Logger } from "pino";
import type { SaylauError } from "../errors.ts";
import type { Mempool } from "./mempool.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { ValidatorNetwork } from "./p2p/validator-network.ts";
import { encodeWire } from "./wire.ts";

/** Transactions forwarded again per poll, at most (see reforwardLingering). */
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

export interface ForwarderParts {
  readonly network: Pick<ValidatorNetwork, "broadcast">;
  readonly mempool: Mempool;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
  /** NodeConfig.reforwardAfterMs */
  readonly reforwardAfterMs: number;
  /** Admit a transaction a peer forwarded (Admission.submit with fromPeer). */
  readonly admit: (tx: Uint8Array) => Promise<unknown>;
  /** performance.now() of this node's last commit (or start). */
  readonly lastCommitAt: () => number;
}

export class Forwarder {
  readonly #parts: ForwarderParts;
  #queue: Uint8Array[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** When each pending transaction was last forwarded again (while the chain is idle). */
  readonly #reforwardedAt = new Map<string, number>();
  readonly #inflight = new Map<number, number>();
  readonly #strikes = new Map<number, number>();
  readonly #mutedUntil = new Map<number, number>();

  constructor(parts: ForwarderParts) {
    this.#parts = parts;
  }

  /** Queue a transaction for the other validators; sent within FORWARD_LINGER_MS. */
  forward(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    if (this.#queue.length >= 256) {
      this.#flush();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#flush(), FORWARD_LINGER_MS);
    }
  }

  #flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#queue.length > 0) {
      const txs = this.#queue.splice(0, 256);
      this.#parts.network.broadcast(encodeWire({ kind: "txs", txs }));
    }
  }

  /** Stops the linger timer; what is still queued is not sent. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
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
  reforwardLingering(): void {
    const { mempool, reforwardAfterMs } = this.#parts;
    const now = performance.now();
    const sent = this.#reforwardedAt;
    if (now - this.#parts.lastCommitAt() < reforwardAfterMs) {
      sent.clear();
      return;
    }
    for (const id of sent.keys()) if (!mempool.has(id)) sent.delete(id);
    const again: Uint8Array[] = [];
    for (const [id, bytes] of mempool.entries()) {
      if (again.length >= REFORWARD_BATCH) break;
      const last = sent.get(id);
      if (last === undefined || now - last >= reforwardAfterMs) {
        again.push(bytes);
        sent.set(id, now);
      }
    }
    if (again.length === 0) return;
    this.#parts.log.info({ txs: again.length }, "forwarding lingering pending transactions again");
    for (const bytes of again) this.forward(bytes);
  }

  /**
   * Transactions a peer forwards are checked like a client's, but a peer must not be able to
   * keep this node's workers busy with transactions that cannot verify: each peer has a
   * bounded number in flight, and one whose transactions fail their signature checks or do
   * not decode too often is not listened to for a while (honest peers forward only what they
   * checked themselves; state conflicts such as a stale seq, and ballot proofs, which every
   * validator checks at the same time, are not held against them).
   */
  admitForwarded(from: number, txs: readonly Uint8Array[]): void {
    const { metrics, log } = this.#parts;
    const now = performance.now();
    const mutedUntil = this.#mutedUntil.get(from) ?? 0;
    if (now < mutedUntil) return;
    let inflight = this.#inflight.get(from) ?? 0;
    for (const tx of txs) {
      if (inflight >= MAX_FORWARDED_IN_FLIGHT) {
        metrics.peerMisbehaved.inc({ peer: String(from) });
        return;
      }
      inflight++;
      this.#inflight.set(from, inflight);
      this.#parts
        .admit(tx)
        .catch((err: Error) => {
          const code = (err as SaylauError).code ?? "";
          // Not proof failures: ballots are forwarded before their proofs are checked.
          if (PEER_FAULT_CODES.has(code) || code.startsWith("codec/")) {
            metrics.peerMisbehaved.inc({ peer: String(from) });
            const strikes = (this.#strikes.get(from) ?? 0) + 1;
            this.#strikes.set(from, strikes);
            if (strikes >= FORWARD_STRIKES_TO_MUTE) {
              this.#strikes.set(from, 0);
              this.#mutedUntil.set(from, performance.now() + FORWARD_MUTE_MS);
              log.warn(
                { peer: from, strikes },
                "peer forwards transactions that do not verify; ignoring its forwards for a while",
              );
            }
          }
          log.debug({ peer: from, err: err.message }, "forwarded transaction not admitted");
        })
        .finally(() => {
          this.#inflight.set(from, (this.#inflight.get(from) ?? 1) - 1);
        });
    }
  }
}
