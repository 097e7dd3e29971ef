/**
 * Results as the commissions publish them, for a terminal: per contest, one row per
 * district in its scope, one per region, and the total; a count not yet decrypted is "-".
 */
import type { ResultsView } from "../ledger/results.ts";
import { table } from "./output.ts";

export function formatResults(results: ResultsView): string {
  const decrypted = results.districts.filter((d) => d.decrypted).length;
  const lines = [
    `results: ${decrypted} of ${results.districts.length} districts decrypted` +
      (results.complete ? "" : " (the rest show -)"),
  ];
  for (const contest of results.contests) {
    const header = ["", ...contest.options];
    const row = (label: string, counts: number[] | null) => [
      label,
      ...contest.options.map((_, j) => (counts === null ? "-" : counts[j]!)),
    ];
    const rows: (string | number)[][] = [header];
    for (const d of contest.districts) rows.push(row(`district ${d.id}`, d.counts));
    if (contest.scope.level !== "district") {
      for (const r of contest.regions) rows.push(row(`region ${r.id}`, r.counts));
    }
    rows.push(row("total", contest.total));
    lines.push(
      "",
      `${contest.label} (${contest.scope.level === "national" ? "national" : `${contest.scope.level} ${contest.scope.id}`}, choose up to ${contest.limit}):`,
      table(rows),
    );
  }
  return lines.join("\n");
}
