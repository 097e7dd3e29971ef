/**
 * A district's ballot as the pages show it: the district and its region by name, and the
 * contests of its ballot style (src/ledger/geography.ts, the style the ledger checks every
 * ballot against), each with where it is on the ballot and how many options it allows.
 */
import type { Contest } from "../../src/election/description.ts";
import { type DistrictInfo, districtAt } from "../../src/ledger/geography.ts";
import type { Election } from "./election.ts";
import { t } from "./i18n.ts";

export interface StyledContest {
  /** The contest's election-wide index. */
  readonly number: number;
  readonly contest: Contest;
}

export function districtOf(
  election: Election,
  district: number,
): { readonly district: DistrictInfo; readonly regionName: string } {
  const info = districtAt(election.geography, district);
  return { district: info, regionName: election.manifest.regions[info.region]!.name };
}

/** The district's contests, in ballot order: choices[i] answers contests[i]. */
export function ballotContests(election: Election, district: number): StyledContest[] {
  return districtAt(election.geography, district).style.map((number) => ({
    number,
    contest: election.manifest.election.contests[number]!,
  }));
}

/** Where a contest is on the ballot: everywhere, in one region, or in one district. */
export function scopeText(election: Election, contestNumber: number): string {
  const scope = election.manifest.scopes[contestNumber]!;
  if (scope.level === "national") return t("scope.national");
  if (scope.level === "region") {
    return t("scope.region", { name: election.manifest.regions[scope.index]!.name });
  }
  return t("scope.district", { name: election.geography.districts[scope.index]!.name });
}

/** "Choose one" for a single choice (a party list, a single seat), else "up to N". */
export function limitText(limit: number): string {
  return limit === 1
    ? t("vote.ballot.choose_one")
    : t("vote.ballot.choose_up_to", { count: limit });
}
