/** The engine's configuration, crypto interfaces and the actions it asks its caller to run. */
import type { CommitCertificate } from "./certificate.ts";
import type { Evidence } from "./evidence.ts";
import type { ConsensusMessage } from "./messages.ts";
import type { Signer, VerifyFn } from "./signing.ts";

export type { Signer, VerifyFn };

/** Pure: payload -> 32-byte id. The ledger passes its block-header hash. */
export type ProposalHashFn = (payload: Uint8Array) => Uint8Array;

export interface TimeoutConfig {
  /** Timeout of view 0 at every height, in (virtual) milliseconds. */
  readonly baseMs: number;
  /** Each further view at the same height waits `backoff` times longer... */
  readonly backoff: number;
  /** ...up to this cap. */
  readonly maxMs: number;
}

export const DEFAULT_TIMEOUTS: TimeoutConfig = { baseMs: 1000, backoff: 2, maxMs: 60_000 };
export const DEFAULT_MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

/**
 * Deliberately broken variants, for the simulation's mutation tests only: the simulation must
 * catch each of them. Never set in production.
 */
export type UnsafeTestMutation = "quorum-2f" | "skip-wal-on-restore";

export interface EngineConfig {
  readonly electionId: Uint8Array;
  /** Ordered ed25519 public keys; a validator is named by its index here. */
  readonly validators: readonly Uint8Array[];
  /** This replica's index in `validators`. */
  readonly self: number;
  readonly signer: Signer;
  readonly verify: VerifyFn;
  readonly proposalHash: ProposalHashFn;
  /** The first height not yet decided (ledger height + 1). */
  readonly startHeight: number;
  readonly timeouts?: TimeoutConfig;
  readonly maxPayloadBytes?: number;
  readonly unsafeTestMutation?: UnsafeTestMutation;
}

/** Why an input was not acted on; stable codes for logs and metrics. */
export type DropReason =
  | "consensus/malformed"
  | "consensus/wrong_election"
  | "consensus/from_self"
  | "consensus/wrong_leader"
  | "consensus/bad_signature"
  | "consensus/bad_proof"
  | "consensus/stale_height"
  | "consensus/future_height"
  | "consensus/stale_view"
  | "consensus/view_too_far"
  | "consensus/duplicate"
  | "consensus/equivocation"
  | "consensus/bad_certificate"
  | "consensus/payload_too_large"
  | "consensus/unknown_proposal";

export type Action =
  /** Make this WAL record durable before running any later `send`. */
  | { readonly type: "persist"; readonly record: Uint8Array }
  /** Send to validator `to`, or to every other validator when `to` is "all". */
  | {
      readonly type: "send";
      readonly to: number | "all";
      readonly message: ConsensusMessage;
      readonly bytes: Uint8Array;
    }
  /**
   * Check the proposal; answer later with engine.validated(height, blockHash, valid).
   * `reproposal`: a NEW-VIEW forces this block, so it was prepared in an earlier view (at
   * least q - f honest validators found it valid as a fresh proposal then). Checks of a
   * proposal's freshness (its time against the node's clock) are for fresh proposals only.
   */
  | {
      readonly type: "validate";
      readonly height: number;
      readonly blockHash: Uint8Array;
      readonly payload: Uint8Array;
      readonly reproposal: boolean;
    }
  /** The block at `height` is final: apply it, store the certificate beside it. */
  | {
      readonly type: "decide";
      readonly height: number;
      readonly payload: Uint8Array;
      readonly certificate: CommitCertificate;
    }
  /** Ask peers for decided blocks with certificates at heights >= fromHeight. */
  | { readonly type: "fetch"; readonly fromHeight: number }
  /** A validator provably equivocated: store and report. */
  | { readonly type: "evidence"; readonly evidence: Evidence }
  /**
   * An input was ignored, and why (for logs and metrics). For a message, `from` and `height`
   * name its sender and height: on "consensus/stale_height" the node should offer that peer
   * its decided blocks from `height` on, since the peer is behind and may not know it.
   */
  | {
      readonly type: "dropped";
      readonly reason: DropReason;
      readonly detail: string;
      readonly from?: number;
      readonly height?: number;
    };

export type ActionType = Action["type"];
