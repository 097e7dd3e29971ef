/**
 * The schedule and the commission. The phase is never set by anyone: each block's time
 * against the manifest's schedule moves it (setup until the commission approves, then
 * registration, open, closed), and the only way to move the close is a commission
 * transaction with k member signatures that extends it, visible on the record.
 */
import { verifySignature } from "../crypto/ed25519.ts";
import { SaylauError } from "../errors.ts";
import type { LedgerContext } from "./context.ts";
import type { DistrictState, ElectionState } from "./state.ts";
import { type CommissionTx, type Phase, signingMessage } from "./transactions.ts";

/** The phase of an approved election at block time `time`. */
export function phaseAt(opensAt: number, closesAt: number, time: number): Phase {
  if (time < opensAt) return "registration";
  return time < closesAt ? "open" : "closed";
}

/**
 * The state as of a block with time `time`, before its transactions: the phase the time puts
 * it in. When the polls close, a district without a counted ballot has its result (all zero)
 * at once: there is nothing for the trustees to decrypt.
 */
export function advanceClock(
  ctx: LedgerContext,
  state: ElectionState,
  time: number,
): ElectionState {
  if (state.phase === "setup") return state;
  const phase = phaseAt(ctx.manifest.schedule.opensAt, state.closesAt, time);
  if (phase === state.phase) return state;
  const districts =
    phase === "closed" ? state.districts.map((d, i) => closeDistrict(ctx, d, i)) : state.districts;
  return { ...state, phase, districts };
}

function closeDistrict(ctx: LedgerContext, district: DistrictState, index: number): DistrictState {
  if (district.tally.ballotCount !== 0 || district.result !== null) return district;
  const shapes = ctx.districtCrypto[index]!.shapes;
  return { ...district, result: shapes.map((s) => new Array<number>(s.options).fill(0)) };
}

/**
 * Checks a commission transaction's signatures: strictly increasing member indices, each a
 * member, at least k of them, each valid over signingMessage(tx). `preVerified` skips only
 * the signature arithmetic.
 */
export function checkCommissionSignatures(
  ctx: LedgerContext,
  tx: CommissionTx,
  preVerified: boolean,
): void {
  const { members, threshold } = ctx.manifest.commission;
  let previous = -1;
  for (const s of tx.signatures) {
    if (s.member === previous) {
      throw new SaylauError("ledger/repeated_signer", `member ${s.member} signed twice`, {
        member: s.member,
      });
    }
    if (s.member < previous) {
      throw new SaylauError(
        "ledger/unordered_signatures",
        "commission signatures are listed in increasing member order",
      );
    }
    if (s.member >= members.length) {
      throw new SaylauError("ledger/unknown_member", `the commission has no member ${s.member}`, {
        member: s.member,
      });
    }
    previous = s.member;
  }
  if (tx.signatures.length < threshold) {
    throw new SaylauError(
      "ledger/too_few_signatures",
      `${tx.signatures.length} commission signatures, ${threshold} needed`,
      { have: tx.signatures.length, need: threshold },
    );
  }
  if (preVerified) return;
  const message = signingMessage(tx);
  for (const s of tx.signatures) {
    if (!verifySignature(members[s.member]!.publicKey, message, s.sig)) {
      throw new SaylauError(
        "ledger/bad_signature",
        `commission member ${s.member}'s signature does not verify`,
        { member: s.member },
      );
    }
  }
}

/** Applies a commission decision whose signatures are checked. */
export function applyCommission(
  ctx: LedgerContext,
  state: ElectionState,
  tx: CommissionTx,
  time: number,
): ElectionState {
  const { schedule } = ctx.manifest;
  if (tx.action === "approve") {
    if (state.phase !== "setup") {
      throw new SaylauError("ledger/already_approved", "the manifest is already approved");
    }
    if (tx.closesAt !== schedule.closesAt) {
      throw new SaylauError(
        "ledger/bad_schedule",
        "an approval names the manifest's closesAt, the schedule it approves",
      );
    }
    if (time >= schedule.closesAt) {
      throw new SaylauError("ledger/polls_closed", "the polls' closing time has passed");
    }
    return { ...state, phase: phaseAt(schedule.opensAt, state.closesAt, time) };
  }
  if (state.phase === "setup") {
    throw new SaylauError("ledger/not_approved", "the commission has not approved the manifest");
  }
  if (state.phase === "closed") {
    throw new SaylauError("ledger/polls_closed", "polls are closed; they cannot be extended");
  }
  if (tx.closesAt <= state.closesAt) {
    throw new SaylauError(
      "ledger/not_an_extension",
      `closesAt ${tx.closesAt} is not after the current ${state.closesAt}`,
    );
  }
  return { ...state, closesAt: tx.closesAt };
}
