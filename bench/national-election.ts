/**
 * The shape of a Kazakh national election, for benchmarks: the 20 regional units (17
 * regions and the cities of Astana, Almaty and Shymkent, with their ISO 3166-2:KZ codes),
 * 10 maslikhat districts in each (200 in all), and three contests on every ballot: a
 * national one (7 candidates, choose one), the voter's regional maslikhat party list (7
 * parties, choose one) and the voter's district maslikhat race (5 candidates, choose one).
 * So 1 + 20 + 200 = 221 contests and 200 ballot styles of 7 + 7 + 5 = 19 options each.
 * District names are placeholders: the count per region, not the names, is what costs.
 */
import { utf8 } from "../src/crypto/bytes.ts";
import { sha256 } from "../src/crypto/hash.ts";
import type { Contest } from "../src/election/description.ts";
import { type LedgerContext, ledgerContext } from "../src/ledger/context.ts";
import {
  createElection,
  type ElectionSetup,
  type RegionInput,
} from "../src/ledger/election-setup.ts";
import { MAX_CREDENTIALS_PER_REGISTER } from "../src/ledger/limits.ts";
import type { ContestScope, Schedule } from "../src/ledger/manifest.ts";
import { commissionDecision, commissionTx, registerTx } from "../src/ledger/tx-builders.ts";

/** ISO 3166-2:KZ code and name of each of the 20 regional units. */
export const KZ_REGIONS: readonly (readonly [string, string])[] = [
  ["KZ-10", "Abai Region"],
  ["KZ-11", "Akmola Region"],
  ["KZ-15", "Aktobe Region"],
  ["KZ-19", "Almaty Region"],
  ["KZ-23", "Atyrau Region"],
  ["KZ-27", "West Kazakhstan Region"],
  ["KZ-31", "Jambyl Region"],
  ["KZ-33", "Jetisu Region"],
  ["KZ-35", "Karaganda Region"],
  ["KZ-39", "Kostanay Region"],
  ["KZ-43", "Kyzylorda Region"],
  ["KZ-47", "Mangystau Region"],
  ["KZ-55", "Pavlodar Region"],
  ["KZ-59", "North Kazakhstan Region"],
  ["KZ-61", "Turkistan Region"],
  ["KZ-62", "Ulytau Region"],
  ["KZ-63", "East Kazakhstan Region"],
  ["KZ-71", "Astana"],
  ["KZ-75", "Almaty"],
  ["KZ-79", "Shymkent"],
];

export const NATIONAL_CANDIDATES = 7;
export const BENCH_CREATED_AT = 1_780_000_000_000;
export const PARTIES = 7;
export const DISTRICT_CANDIDATES = 5;

export function nationalRegions(districtsPerRegion = 10): RegionInput[] {
  return KZ_REGIONS.map(([id, name]) => ({
    id,
    name,
    districts: Array.from({ length: districtsPerRegion }, (_, d) => ({
      id: `${id}-${String(d + 1).padStart(2, "0")}`,
      name: `${name} maslikhat district ${d + 1}`,
    })),
  }));
}

/** The contests and their scopes, in manifest order: national, per region, per district. */
export function nationalContests(districtsPerRegion = 10): {
  contests: Contest[];
  scopes: ContestScope[];
} {
  const letters = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => `${prefix} ${String.fromCharCode(65 + i)}`);
  const contests: Contest[] = [
    { label: "President", options: letters(NATIONAL_CANDIDATES, "Candidate"), limit: 1 },
  ];
  const scopes: ContestScope[] = [{ level: "national", index: 0 }];
  KZ_REGIONS.forEach(([, name], r) => {
    contests.push({ label: `${name} maslikhat`, options: letters(PARTIES, "Party"), limit: 1 });
    scopes.push({ level: "region", index: r });
  });
  for (let d = 0; d < KZ_REGIONS.length * districtsPerRegion; d++) {
    contests.push({
      label: `Maslikhat district ${d + 1}`,
      options: letters(DISTRICT_CANDIDATES, "Candidate"),
      limit: 1,
    });
    scopes.push({ level: "district", index: d });
  }
  return { contests, scopes };
}

export interface NationalOptions {
  readonly validators: number;
  readonly voters: number;
  readonly trustees?: number;
  readonly threshold?: number;
  readonly districtsPerRegion?: number;
  readonly createdAt?: number;
  /**
   * Default: polls open from createdAt for two years (createElection's default). createdAt
   * defaults to a fixed time (2026-05-28), so the election and its ballots are the same in
   * every run until mid-2028.
   */
  readonly schedule?: Schedule;
  readonly seed?: string;
}

export function nationalSetup(options: NationalOptions): {
  setup: ElectionSetup;
  ctx: LedgerContext & { readonly manifestBytes: Uint8Array };
} {
  const perRegion = options.districtsPerRegion ?? 10;
  const { contests, scopes } = nationalContests(perRegion);
  const setup = createElection({
    name: "Kazakhstan national election (benchmark)",
    createdAt: options.createdAt ?? BENCH_CREATED_AT,
    seed: sha256(utf8(options.seed ?? "saylau national bench")),
    validators: options.validators,
    trustees: options.trustees ?? 5,
    threshold: options.threshold ?? 3,
    voters: options.voters,
    contests,
    scopes,
    regions: nationalRegions(perRegion),
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
  });
  return { setup, ctx: ledgerContext(setup.manifestBytes) };
}

/** One choice row per contest on district d's ballot: option `pick` (mod options) of each. */
export function choicesFor(ctx: LedgerContext, district: number, pick: number): number[][] {
  return ctx.districtCrypto[district]!.shapes.map((s) =>
    Array.from({ length: s.options }, (_, j) => (j === pick % s.options ? 1 : 0)),
  );
}

/**
 * What opens the seeded election: the commission's approval (one member, the default
 * threshold), then every voter's registration: per district, its voters in transactions of
 * at most MAX_CREDENTIALS_PER_REGISTER keys, signed by the district's region's registrar.
 */
export function openingTransactions(
  setup: ElectionSetup,
  ctx: LedgerContext,
): { approve: Uint8Array; registrations: Uint8Array[] } {
  const approve = commissionTx(
    commissionDecision(setup.electionId, "approve", setup.manifest.schedule.closesAt),
    [{ member: 0, key: setup.commission[0]! }],
  );
  const byDistrict: Uint8Array[][] = ctx.geography.districts.map(() => []);
  setup.voters.forEach((v, i) => {
    byDistrict[setup.voterDistricts[i]!]!.push(v.publicKey);
  });
  const registrations = byDistrict.flatMap((keys, d) => {
    const registrar = setup.registrars[ctx.geography.districts[d]!.region]!;
    const out: Uint8Array[] = [];
    for (let i = 0; i < keys.length; i += MAX_CREDENTIALS_PER_REGISTER) {
      out.push(
        registerTx(setup.electionId, registrar, d, keys.slice(i, i + MAX_CREDENTIALS_PER_REGISTER)),
      );
    }
    return out;
  });
  return { approve, registrations };
}
