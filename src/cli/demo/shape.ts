/**
 * The demo election's shape and what its voters cast: 3 regions of 2 districts each, a
 * national party-list contest (choose one), a multi-seat council contest in each region (up
 * to 2 of 4) and a mayoral contest in one district, so there are 4 ballot styles. Every
 * choice comes from a seeded generator, so the demo knows what each district must count.
 */
import type { Rng } from "../../election/rng.ts";
import type { LedgerContext } from "../../ledger/context.ts";
import type { ElectionSpec, SpecContest, SpecRegion } from "../election-spec.ts";

export const COMMISSION_MEMBERS = 3;
export const COMMISSION_THRESHOLD = 2;
export const VALIDATORS = 4;
export const TRUSTEES = 3;
export const TRUSTEE_THRESHOLD = 2;

export const REGIONS: readonly Omit<SpecRegion, "registrar">[] = [
  {
    id: "ALM",
    name: "Almaty",
    districts: [
      { id: "ALM-01", name: "Almaty, Medeu" },
      { id: "ALM-02", name: "Almaty, Bostandyk" },
    ],
  },
  {
    id: "AST",
    name: "Astana",
    districts: [
      { id: "AST-01", name: "Astana, Yesil" },
      { id: "AST-02", name: "Astana, Saryarka" },
    ],
  },
  {
    id: "SHY",
    name: "Shymkent",
    districts: [
      { id: "SHY-01", name: "Shymkent, Abay" },
      { id: "SHY-02", name: "Shymkent, Al-Farabi" },
    ],
  },
];

const council = (region: string, city: string): SpecContest => ({
  label: `${city} city council`,
  options: ["Aigerim", "Bauyrzhan", "Dana", "Yerlan"].map((n) => `${n} (${region})`),
  limit: 2,
  scope: `region:${region}`,
});

export const CONTESTS: readonly SpecContest[] = [
  {
    label: "Mazhilis, party list",
    options: ["Amanat", "Ak Zhol", "Respublica", "Auyl", "People's Party"],
    limit: 1,
    scope: "national",
  },
  council("ALM", "Almaty"),
  council("AST", "Astana"),
  council("SHY", "Shymkent"),
  {
    label: "Akim of Medeu district",
    options: ["Zhanna", "Nurlan", "Saule"],
    limit: 1,
    scope: "district:ALM-01",
  },
];

export const keyFiles = {
  member: (i: number) => `member-${i}.pub`,
  registrar: (region: string) => `registrar-${region}.pub`,
  validator: (i: number) => `validator-${i}.pub`,
  trustee: (i: number) => `trustee-${i}.pub`,
  description: "election-description.cbor",
  /** The key ceremony's bulletin directory and its verified transcript. */
  bulletin: "ceremony",
  transcript: "ceremony-transcript.cbor",
};

export function demoSpec(input: {
  readonly trustees: ElectionSpec["trustees"];
  readonly opensAt: number;
  readonly closesAt: number;
  readonly ports: { readonly p2pBase: number; readonly httpBase: number };
}): ElectionSpec {
  return {
    name: "Saylau demo election",
    schedule: {
      opensAt: new Date(input.opensAt).toISOString(),
      closesAt: new Date(input.closesAt).toISOString(),
      timeZone: "Asia/Almaty",
    },
    commission: {
      threshold: COMMISSION_THRESHOLD,
      members: Array.from({ length: COMMISSION_MEMBERS }, (_, i) => ({
        name: `Commission member ${i}`,
        key: keyFiles.member(i),
      })),
    },
    validators: Array.from({ length: VALIDATORS }, (_, i) => ({
      name: `validator-${i}`,
      key: keyFiles.validator(i),
      p2p: `/ip4/127.0.0.1/tcp/${input.ports.p2pBase + i}`,
      http: `127.0.0.1:${input.ports.httpBase + i}`,
    })),
    regions: REGIONS.map((r) => ({ ...r, registrar: keyFiles.registrar(r.id) })),
    contests: CONTESTS,
    trustees: input.trustees,
  };
}

/** One ballot a voter casts: per contest on its district's ballot, the options it picks. */
export interface PlannedBallot {
  readonly voter: number;
  readonly seq: number;
  readonly picks: readonly (readonly number[])[];
}

/** The voter's choices for one ballot: up to `limit` distinct options per contest. */
export function pickBallot(ctx: LedgerContext, district: number, rng: Rng): number[][] {
  return ctx.geography.districts[district]!.style.map((c) => {
    const contest = ctx.manifest.election.contests[c]!;
    const n = contest.options.length;
    // Choose-one contests always get a choice; multi-seat ones 0 (blank) to limit picks.
    const count = contest.limit === 1 ? 1 : rng(1)[0]! % (contest.limit + 1);
    const picks = new Set<number>();
    while (picks.size < count) picks.add(rng(1)[0]! % n);
    return [...picks].sort((a, b) => a - b);
  });
}

/** `saylau vote --choices`: contests separated by ";", options by ",". */
export function choicesArgument(picks: readonly (readonly number[])[]): string {
  return picks.map((p) => p.join(",")).join(";");
}

/**
 * What each district must count: per district, per contest on its ballot (in style order),
 * the votes per option from each voter's last ballot.
 */
export function expectedCounts(
  ctx: LedgerContext,
  voterDistricts: readonly number[],
  ballots: readonly PlannedBallot[],
): number[][][] {
  const last = new Map<number, PlannedBallot>();
  for (const b of ballots) {
    const prev = last.get(b.voter);
    if (prev === undefined || b.seq > prev.seq) last.set(b.voter, b);
  }
  const counts = ctx.geography.districts.map((d) =>
    d.style.map((c) =>
      new Array<number>(ctx.manifest.election.contests[c]!.options.length).fill(0),
    ),
  );
  for (const b of last.values()) {
    const d = voterDistricts[b.voter]!;
    b.picks.forEach((picks, i) => {
      for (const o of picks) counts[d]![i]![o]! += 1;
    });
  }
  return counts;
}
