/** What a transaction rule needs besides the state and the transaction itself. */
import type { LedgerContext } from "./context.ts";
import type { CredentialRecord } from "./state.ts";

export interface TxEnv {
  readonly ctx: LedgerContext;
  readonly index: number;
  readonly bytes: Uint8Array;
  /** The transaction's signatures and proofs are already verified. */
  readonly preVerified: boolean;
  /** The block's header time (ms, UTC). */
  readonly time: number;
  /** The record as of this point in the block (earlier writes included); null: unregistered. */
  record(hex: string): CredentialRecord | null;
  write(hex: string, record: CredentialRecord): void;
}
