/**
 * Admission of transactions into the pending pool: the full validity check (size, decoding,
 * duplicates, room, the precheck against the committed state, signature and proofs in the
 * verification workers), then durable in the pool, then forwarded to the other validators
 * (a ballot from a client: before its proofs are checked, see submit). Also remembers which
 * voters' ballots recently failed their proofs, and re-checks a pool reloaded after a restart.
 */
import { setBounded } from "../bounded-map.ts";
import { toHex } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { trackingCode } from "../election/tracking-code.ts";
import { SaylauError } from "../errors.ts";
import { MAX_TX_BYTES } from "../ledger/limits.ts";
import { signingMessage, txId } from "../ledger/transactions.ts";
import type { VerifyPool } from "../verify/verify-pool.ts";
import type { SubmitResult } from "./api/service.ts";
import type { CommitLatency } from "./commit-latency.ts";
import type { LedgerReplica } from "./ledger-replica.ts";
import type { Mempool } from "./mempool.ts";
import type { NodeMetrics } from "./metrics.ts";
import { precheck } from "./precheck.ts";
import { markVerified } from "./verified-ids.ts";

/** How long a voter whose ballot failed its proofs has its ballots checked before forwarding. */
const PROOF_FAILURE_MEMORY_MS = 10 * 60_000;
const PROOF_FAILURES_KEPT = 100_000;

export interface AdmissionParts {
  readonly replica: LedgerReplica;
  readonly mempool: Mempool;
  readonly pool: VerifyPool;
  readonly metrics: NodeMetrics;
  /** The node's set of verified ids (see verified-ids.ts). */
  readonly verified: Set<string>;
  readonly latency: CommitLatency;
  readonly isStopping: () => boolean;
  /** Send a transaction to the other validators. */
  readonly forward: (bytes: Uint8Array) => void;
  /** Verified work was added to the pool: a block may be built now. */
  readonly onPending: () => void;
}

export class Admission {
  readonly #parts: AdmissionParts;
  /** Credentials whose ballot failed its proof check here, and when (see submit). */
  readonly #proofFailures = new Map<string, number>();

  constructor(parts: AdmissionParts) {
    this.#parts = parts;
  }

  /**
   * Admission: the full validity check, then durable in the pool, then forwarded to the
   * other validators (a ballot from a client: before its proofs are checked, see below).
   */
  async submit(bytes: Uint8Array, onlyType?: "ballot", fromPeer = false): Promise<SubmitResult> {
    const { replica, mempool, pool, metrics, verified } = this.#parts;
    if (this.#parts.isStopping()) throw new SaylauError("node/not_ready", "node is stopping");
    if (bytes.length > MAX_TX_BYTES) {
      throw new SaylauError(
        "codec/too_large",
        `transaction is ${bytes.length} bytes, limit ${MAX_TX_BYTES}`,
      );
    }
    const idBytes = txId(bytes);
    const id = toHex(idBytes);
    // A peer forwards again what lingers in its pool; what is pending here costs no decoding.
    if (fromPeer && mempool.has(id))
      throw new SaylauError("mempool/duplicate", `transaction ${id} is already pending`, { id });
    const { tx } = replica.decoded.decodeWithId(bytes, idBytes);
    if (onlyType !== undefined && tx.type !== onlyType) {
      throw new SaylauError(
        "api/invalid_request",
        `this endpoint takes ${onlyType} transactions, not ${tx.type}`,
      );
    }
    const reply = { id, trackingCode: trackingCode(idBytes), type: tx.type };
    if (mempool.has(id))
      throw new SaylauError("mempool/duplicate", `transaction ${id} is already pending`, { id });
    mempool.checkRoom(bytes.length);
    try {
      await precheck(replica, tx);
    } catch (err) {
      // Every kind of transaction, once committed, breaks a state rule if sent again; only
      // then is it worth a lookup to say precisely that it is a replay.
      if ((await replica.store.txLocation(idBytes)) !== undefined) {
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
      !verified.has(id) &&
      !this.#recentProofFailure(tx.credential);
    if (forwardEarly) {
      if (!verifySignature(tx.credential, signingMessage(tx), tx.sig, true)) {
        throw new SaylauError("ledger/bad_signature", "ballot signature does not verify");
      }
      this.#parts.forward(bytes);
    }
    if (!verified.has(id)) {
      const verdict = await pool.verify(bytes, id);
      if (!verdict.ok) {
        metrics.rejected.inc({ code: verdict.code ?? "unknown" });
        if (tx.type === "ballot" && (verdict.code ?? "").startsWith("election/")) {
          this.#noteProofFailure(tx.credential);
        }
        throw new SaylauError(
          verdict.code ?? "node/verify_failed",
          verdict.message ?? "transaction does not verify",
        );
      }
      markVerified(verified, id);
    }
    const added = await mempool.add(id, bytes);
    if (!added)
      throw new SaylauError("mempool/duplicate", `transaction ${id} is already pending`, { id });
    this.#parts.latency.admitted(id);
    metrics.admitted.inc({ type: tx.type });
    metrics.mempool.set(mempool.size);
    if (!fromPeer && !forwardEarly) this.#parts.forward(bytes);
    this.#parts.onPending();
    return reply;
  }

  /** Pending transactions reloaded after a restart are checked again before they are proposed. */
  async reverifyPending(): Promise<void> {
    const { mempool, pool, verified } = this.#parts;
    const pending = mempool.candidates(Number.MAX_SAFE_INTEGER, (id) => !verified.has(id));
    if (pending.length === 0) return;
    const verdicts = await pool.verifyAll(
      pending,
      pending.map((t) => toHex(txId(t))),
    );
    const bad: { id: string; code: string; message: string }[] = [];
    verdicts.forEach((v, i) => {
      const id = toHex(txId(pending[i]!));
      if (v.ok) markVerified(verified, id);
      else
        bad.push({
          id,
          code: v.code ?? "node/verify_failed",
          message: v.message ?? "transaction does not verify",
        });
    });
    await mempool.drop(bad);
    this.#parts.onPending();
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
}
