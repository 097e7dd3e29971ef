/**
 * Cheap checks of a transaction against the committed state, before the expensive proof
 * check. Pending transactions are not taken into account: block building settles conflicts
 * among them.
 */
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import { isPhaseTransition } from "../ledger/apply.ts";
import type { Transaction } from "../ledger/transactions.ts";
import type { LedgerReplica } from "./ledger-replica.ts";

export async function precheck(replica: LedgerReplica, tx: Transaction): Promise<void> {
  const state = replica.tip.state;
  if (!bytesEqual(tx.electionId, replica.ctx.electionId)) {
    throw new SaylauError("ledger/wrong_election", "transaction is for another election");
  }
  switch (tx.type) {
    case "ballot": {
      if (state.phase !== "open")
        throw new SaylauError("ledger/wrong_phase", `polls are ${state.phase}`);
      const [record] = await replica.credentials([tx.credential]);
      if (record === null || record === undefined) {
        throw new SaylauError("ledger/unknown_credential", "credential is not registered");
      }
      if (record.seq !== null && tx.seq <= record.seq) {
        throw new SaylauError(
          "ledger/stale_ballot",
          `seq ${tx.seq} is not above the counted ${record.seq}`,
        );
      }
      return;
    }
    case "register": {
      if (state.phase === "closed") throw new SaylauError("ledger/wrong_phase", "polls are closed");
      const records = await replica.credentials(tx.credentials);
      const taken = records.findIndex((r) => r !== null);
      if (taken >= 0) {
        throw new SaylauError(
          "ledger/duplicate_credential",
          `credential ${toHex(tx.credentials[taken]!)} is already registered`,
        );
      }
      return;
    }
    case "decryption":
      if (state.phase !== "closed")
        throw new SaylauError("ledger/wrong_phase", "polls are not closed yet");
      if (state.result !== null)
        throw new SaylauError("ledger/already_tallied", "the result is already decrypted");
      if (state.decryptions.some((d) => d.trustee === tx.share.trustee)) {
        throw new SaylauError(
          "ledger/duplicate_share",
          `trustee ${tx.share.trustee} has already decrypted`,
        );
      }
      return;
    case "phase": {
      if (!isPhaseTransition(state.phase, tx.phase))
        throw new SaylauError(
          "ledger/bad_phase_transition",
          `cannot move from ${state.phase} to ${tx.phase}`,
        );
      return;
    }
  }
}
