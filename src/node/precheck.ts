/**
 * Cheap checks of a transaction against the committed state and this validator's clock,
 * before the expensive proof check. Pending transactions are not taken into account: block
 * building settles conflicts among them. The phase is taken at `now`, not from the tip:
 * the polls open and close with the clock even when no block has been made since.
 */
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import { advanceClock } from "../ledger/schedule.ts";
import type { Transaction } from "../ledger/transactions.ts";
import type { LedgerReplica } from "./ledger-replica.ts";

export async function precheck(
  replica: LedgerReplica,
  tx: Transaction,
  now: number = Date.now(),
): Promise<void> {
  const state = advanceClock(
    replica.ctx,
    replica.tip.state,
    Math.max(now, replica.tip.header.time),
  );
  if (!bytesEqual(tx.electionId, replica.ctx.electionId)) {
    throw new SaylauError("ledger/wrong_election", "transaction is for another election");
  }
  if (state.phase === "setup" && tx.type !== "commission") {
    throw new SaylauError(
      "ledger/not_approved",
      "the commission has not approved the manifest yet",
    );
  }
  switch (tx.type) {
    case "ballot": {
      if (state.phase !== "open")
        throw new SaylauError("ledger/outside_window", `polls are ${state.phase}`);
      const [record] = await replica.credentials([tx.credential]);
      if (record === null || record === undefined) {
        throw new SaylauError("ledger/unknown_credential", "credential is not registered");
      }
      if (record.revoked) {
        throw new SaylauError("ledger/revoked_credential", "the registrar revoked this credential");
      }
      if (record.district !== tx.district) {
        throw new SaylauError(
          "ledger/wrong_district",
          `the credential is registered to district ${record.district}, not ${tx.district}`,
        );
      }
      if (record.seq !== null && tx.seq <= record.seq) {
        throw new SaylauError(
          "ledger/stale_ballot",
          `seq ${tx.seq} is not above the counted ${record.seq}`,
        );
      }
      return;
    }
    case "register":
    case "revoke": {
      if (state.phase === "closed") throw new SaylauError("ledger/wrong_phase", "polls are closed");
      if (tx.type === "revoke") return;
      if (replica.ctx.geography.districts[tx.district] === undefined) {
        throw new SaylauError("ledger/unknown_district", `there is no district ${tx.district}`);
      }
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
    case "decryption": {
      if (state.phase !== "closed")
        throw new SaylauError("ledger/wrong_phase", "polls are not closed yet");
      const district = state.districts[tx.district];
      if (district === undefined) {
        throw new SaylauError("ledger/unknown_district", `there is no district ${tx.district}`);
      }
      if (district.result !== null)
        throw new SaylauError("ledger/already_tallied", "the result is already decrypted");
      if (district.decryptions.some((d) => d.trustee === tx.share.trustee)) {
        throw new SaylauError(
          "ledger/duplicate_share",
          `trustee ${tx.share.trustee} has already decrypted district ${tx.district}`,
        );
      }
      return;
    }
    case "commission":
      return;
  }
}
