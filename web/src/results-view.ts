/**
 * The board's results: what the node reports (GET /v1/results, src/ledger/results.ts
 * ResultsView) per district, per region and in total, with the standing of every district
 * (registered, revoked, voted, which trustees decrypted it), in plain words; and whether
 * the decryption proofs, checked on this device (tally-worker.ts), give exactly those
 * numbers.
 */
import type { ContestResultsView, CountsView, ResultsView } from "../../src/ledger/results.ts";
import { scopeText } from "./ballot-style.ts";
import { barList } from "./chart.ts";
import { h } from "./dom.ts";
import type { Election } from "./election.ts";
import { t } from "./i18n.ts";
import type { TallyAnswer } from "./workers/tally-worker.ts";

function fmt(n: number): string {
  return new Intl.NumberFormat(document.documentElement.lang).format(n);
}

/**
 * True when the proofs checked on this device cover every decrypted district and give, for
 * each, exactly the counts the node reports; null while that check is not done yet.
 */
export function proofAgrees(
  election: Election,
  results: ResultsView,
  proof: TallyAnswer & { ok: true },
): boolean | null {
  for (const d of results.districts) {
    if (!d.decrypted) continue;
    const counts = proof.counts[d.index];
    if (counts === undefined) return null;
    const style = election.geography.districts[d.index]!.style;
    for (const [position, c] of style.entries()) {
      const reported = results.contests[c]?.districts.find((x) => x.id === d.id)?.counts;
      const checked = counts[position];
      if (reported == null || checked === undefined) return false;
      if (reported.length !== checked.length || reported.some((v, j) => v !== checked[j])) {
        return false;
      }
    }
  }
  return true;
}

function proofLine(
  election: Election,
  results: ResultsView,
  proof: TallyAnswer | null,
): HTMLElement {
  if (proof === null) return h("p", { id: "proof-status" }, t("board.proof.checking"));
  if (!proof.ok) {
    return h(
      "p",
      { id: "proof-status", class: "bad-text", "data-ok": "false" },
      t("board.proof.failed_detail", { code: proof.code, message: proof.message }),
    );
  }
  const agrees = proofAgrees(election, results, proof);
  if (agrees === null) return h("p", { id: "proof-status" }, t("board.proof.checking"));
  return h(
    "p",
    {
      id: "proof-status",
      class: agrees ? "ok-text" : "bad-text",
      "data-ok": agrees ? "true" : "false",
    },
    agrees ? t("board.proof.verified", { count: proof.shares }) : t("board.proof.mismatch"),
  );
}

function standingTable(election: Election, results: ResultsView): HTMLElement {
  const regionName = (id: string) => election.manifest.regions.find((r) => r.id === id)?.name ?? id;
  const heads = [
    "board.col.district",
    "board.col.region",
    "board.col.registered",
    "board.col.revoked",
    "board.col.voted",
    "board.col.decrypted",
  ];
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id: "districts-table" },
      h("caption", {}, t("board.districts")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          heads.map((k) => h("th", { scope: "col" }, t(k))),
        ),
      ),
      h(
        "tbody",
        {},
        results.districts.map((d) =>
          h(
            "tr",
            { "data-district": d.id },
            h("th", { scope: "row" }, d.name),
            h("td", {}, regionName(d.region)),
            h("td", {}, fmt(d.credentials)),
            h("td", {}, fmt(d.revoked)),
            h("td", {}, fmt(d.voters)),
            h(
              "td",
              { "data-decrypted": d.decrypted ? "true" : "false" },
              d.decrypted
                ? d.decryptions.length === 0
                  ? t("board.decrypted_empty")
                  : t("board.decrypted_by", { trustees: d.decryptions.join(", ") })
                : t("board.decryptions", {
                    count: d.decryptions.length,
                    threshold: results.threshold,
                  }),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Rows of counts (regions or districts) by option; a row not decrypted yet says so. */
function countsTable(
  contest: ContestResultsView,
  rows: readonly CountsView[],
  caption: string,
  id: string,
): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("board.col.where")),
          contest.options.map((o) => h("th", { scope: "col" }, o)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, row.name),
            row.counts === null
              ? h("td", { colspan: contest.options.length }, t("board.not_decrypted"))
              : row.counts.map((v) => h("td", {}, fmt(v))),
          ),
        ),
      ),
    ),
  );
}

function contestSection(election: Election, contest: ContestResultsView): HTMLElement {
  const id = `contest-${contest.index}`;
  return h(
    "section",
    { id, "aria-labelledby": `${id}-title`, class: "contest-result" },
    h("h3", { id: `${id}-title` }, contest.label),
    h(
      "p",
      { class: "hint" },
      `${scopeText(election, contest.index)} ${t("board.limit", { count: contest.limit })}`,
    ),
    contest.total === null
      ? h("p", { id: `${id}-total` }, t("board.total_pending"))
      : h(
          "div",
          { id: `${id}-total` },
          h("h4", {}, t("board.total")),
          barList(
            contest.options.map((label, j) => ({ label, value: contest.total![j]! })),
            fmt,
          ),
        ),
    contest.scope.level === "district"
      ? null
      : countsTable(contest, contest.regions, t("board.by_region"), `${id}-regions`),
    countsTable(contest, contest.districts, t("board.by_district"), `${id}-districts`),
  );
}

export function resultsSection(
  election: Election,
  results: ResultsView | null,
  proof: TallyAnswer | null,
): HTMLElement {
  const anyDecrypted = results?.districts.some((d) => d.decrypted) ?? false;
  return h(
    "section",
    { "aria-labelledby": "results-title" },
    h("h2", { id: "results-title" }, t("board.results")),
    results === null
      ? null
      : h(
          "div",
          {},
          h("p", {}, t("board.phase", { phase: t(`phase.${results.phase}`) })),
          h(
            "p",
            { id: "results-summary" },
            t("board.summary", {
              credentials: results.credentials,
              revoked: results.revoked,
              voters: results.voters,
              ballots: results.ballots,
            }),
          ),
          h("p", { class: "hint" }, t("board.explain_revoked")),
          standingTable(election, results),
          h("p", { class: "hint" }, t("board.explain_decryption", { count: results.threshold })),
        ),
    results === null || !anyDecrypted
      ? h("p", {}, t("board.no_results"))
      : h(
          "div",
          {},
          h("p", { class: "hint" }, t("board.explain_sums")),
          results.contests.map((c) => contestSection(election, c)),
          h(
            "p",
            { id: "results-complete" },
            results.complete ? t("board.complete") : t("board.incomplete"),
          ),
          proofLine(election, results, proof),
        ),
  );
}
