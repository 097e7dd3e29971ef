/**
 * When the polls open and close, as the voter and the observer read it: the manifest's
 * schedule, the close as the commission may have extended it (ResultsView.closesAt), and the
 * ledger's own phase. The phase rule is src/ledger/schedule.ts phaseAt, applied to the
 * device's clock so the page can say "polls open at ..." before any block is made then;
 * the ledger's phase wins once it says the polls are closed or not yet approved. No DOM
 * here: schedule-view.ts says it in words.
 */
import type { Schedule } from "../../src/ledger/manifest.ts";
import type { ResultsView } from "../../src/ledger/results.ts";
import { phaseAt } from "../../src/ledger/schedule.ts";

export type PollsKind = "setup" | "before" | "open" | "closed";

export interface PollsStatus {
  readonly kind: PollsKind;
  readonly opensAt: number;
  /** The close in force: the manifest's, or later if the commission extended it. */
  readonly closesAt: number;
  /** The manifest's close when the commission extended it; null otherwise. */
  readonly extendedFrom: number | null;
  readonly timeZone: string;
}

export function pollsStatus(
  schedule: Schedule,
  ledger: Pick<ResultsView, "phase" | "closesAt">,
  now: number,
): PollsStatus {
  const closesAt = Math.max(ledger.closesAt, schedule.closesAt);
  const base = {
    opensAt: schedule.opensAt,
    closesAt,
    extendedFrom: closesAt > schedule.closesAt ? schedule.closesAt : null,
    timeZone: schedule.timeZone,
  };
  if (ledger.phase === "setup") return { ...base, kind: "setup" };
  if (ledger.phase === "closed") return { ...base, kind: "closed" };
  const phase = phaseAt(schedule.opensAt, closesAt, now);
  return { ...base, kind: phase === "registration" ? "before" : phase };
}
