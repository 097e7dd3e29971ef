/**
 * The auditor's independent check of every district's result: each accepted decryption
 * share is verified again against the district's final tally, and the counts recomputed
 * from the shares, apart from the incremental path that produced them during the replay.
 * A district closed without a counted ballot must have an all-zero result and no shares.
 */
import { isSaylauError } from "../errors.ts";
import { countsFromVerifiedShares, verifyShare } from "../ledger/ballot-crypto.ts";
import type { LedgerContext } from "../ledger/context.ts";
import type { ElectionState } from "../ledger/state.ts";
import { AUDIT_CODES, AuditFailure } from "./errors.ts";

function messageOf(err: unknown): string {
  return isSaylauError(err) || err instanceof Error ? err.message : String(err);
}

export function checkResults(ctx: LedgerContext, state: ElectionState, height: number): void {
  state.districts.forEach((district, d) => {
    if (district.result === null) return;
    const crypto = ctx.districtCrypto[d]!;
    const id = ctx.geography.districts[d]!.id;
    let recomputed: number[][];
    if (district.tally.ballotCount === 0 && district.decryptions.length === 0) {
      recomputed = crypto.shapes.map((s) => new Array<number>(s.options).fill(0));
    } else {
      for (const share of district.decryptions) {
        try {
          verifyShare(crypto, district.tally, share);
        } catch (err) {
          throw new AuditFailure(
            height,
            AUDIT_CODES.badShare,
            `district ${id}, trustee ${share.trustee}'s share: ${messageOf(err)}`,
            { trustee: share.trustee, district: d },
          );
        }
      }
      recomputed = countsFromVerifiedShares(crypto, district.tally, district.decryptions);
    }
    if (JSON.stringify(recomputed) !== JSON.stringify(district.result)) {
      throw new AuditFailure(
        height,
        AUDIT_CODES.resultMismatch,
        `district ${id}: the recorded result ${JSON.stringify(district.result)} is not what the shares decrypt to (${JSON.stringify(recomputed)})`,
        { district: d },
      );
    }
  });
}
