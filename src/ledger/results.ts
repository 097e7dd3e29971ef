/**
 * Results per district, per region and in total, as the commissions publish them: derived
 * from the state by one pure function, so the node's API, the auditor's report and the web
 * app say the same thing. A contest's count for a region or the whole election is the sum
 * over the districts in its scope, and is null until every one of them is decrypted.
 */
import type { LedgerContext } from "./context.ts";
import type { ElectionState } from "./state.ts";

export interface CountsView {
  /** Region or district id; "national" for the total. */
  readonly id: string;
  readonly name: string;
  /** Votes per option, or null while the tally is not decrypted. */
  readonly counts: number[] | null;
}

export interface ContestResultsView {
  readonly index: number;
  readonly label: string;
  readonly options: readonly string[];
  readonly limit: number;
  readonly scope: { readonly level: string; readonly id: string };
  readonly districts: CountsView[];
  readonly regions: CountsView[];
  readonly total: number[] | null;
}

export interface DistrictStandingView {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly credentials: number;
  readonly revoked: number;
  /** Counted ballots in the district's tally. */
  readonly voters: number;
  /** Trustees whose decryption share of this district is accepted. */
  readonly decryptions: number[];
  readonly decrypted: boolean;
}

export interface ResultsView {
  readonly phase: string;
  readonly height: number;
  readonly closesAt: number;
  readonly credentials: number;
  readonly revoked: number;
  readonly ballots: number;
  readonly voters: number;
  readonly threshold: number;
  readonly districts: DistrictStandingView[];
  readonly contests: ContestResultsView[];
  /** True once every district is decrypted. */
  readonly complete: boolean;
}

function sum(rows: readonly (number[] | null)[], width: number): number[] | null {
  const total = new Array<number>(width).fill(0);
  for (const row of rows) {
    if (row === null) return null;
    row.forEach((v, j) => {
      total[j]! += v;
    });
  }
  return total;
}

export function resultsOf(ctx: LedgerContext, state: ElectionState): ResultsView {
  const { manifest, geography } = ctx;
  const districts = geography.districts.map((d) => {
    const s = state.districts[d.index]!;
    return {
      index: d.index,
      id: d.id,
      name: d.name,
      region: manifest.regions[d.region]!.id,
      credentials: s.credentials,
      revoked: s.revoked,
      voters: s.tally.ballotCount,
      decryptions: s.decryptions.map((share) => share.trustee),
      decrypted: s.result !== null,
    };
  });
  const contests = manifest.election.contests.map((contest, c) => {
    const scope = manifest.scopes[c]!;
    const inScope = geography.districts.filter((d) => d.style.includes(c));
    const countsIn = (district: number): number[] | null => {
      const result = state.districts[district]!.result;
      if (result === null) return null;
      const position = geography.districts[district]!.style.indexOf(c);
      return [...result[position]!];
    };
    const width = contest.options.length;
    const byDistrict = inScope.map((d) => ({ id: d.id, name: d.name, counts: countsIn(d.index) }));
    const regions = manifest.regions.flatMap((region, r) => {
      const own = inScope.filter((d) => d.region === r);
      if (own.length === 0) return [];
      return [
        {
          id: region.id,
          name: region.name,
          counts: sum(
            own.map((d) => countsIn(d.index)),
            width,
          ),
        },
      ];
    });
    const scopeId =
      scope.level === "national"
        ? "national"
        : scope.level === "region"
          ? manifest.regions[scope.index]!.id
          : geography.districts[scope.index]!.id;
    return {
      index: c,
      label: contest.label,
      options: [...contest.options],
      limit: contest.limit,
      scope: { level: scope.level, id: scopeId },
      districts: byDistrict,
      regions,
      total: sum(
        byDistrict.map((d) => d.counts),
        width,
      ),
    };
  });
  return {
    phase: state.phase,
    height: state.height,
    closesAt: state.closesAt,
    credentials: state.credentials,
    revoked: state.revoked,
    ballots: state.ballots,
    voters: state.voters,
    threshold: manifest.election.threshold,
    districts,
    contests,
    complete: state.districts.every((d) => d.result !== null),
  };
}
