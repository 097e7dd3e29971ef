/** A small seeded election used across ledger, node and CLI tests. */
import { utf8 } from "../../src/crypto/bytes.ts";
import { sha256 } from "../../src/crypto/hash.ts";
import { ledgerContext } from "../../src/ledger/context.ts";
import {
  createElection,
  type ElectionSetup,
  type RegionInput,
} from "../../src/ledger/election-setup.ts";
import { geographyOf } from "../../src/ledger/geography.ts";
import type { ContestScope, Schedule } from "../../src/ledger/manifest.ts";
import { commissionDecision, commissionTx, registerTx } from "../../src/ledger/tx-builders.ts";

export const FIXTURE_CONTESTS = [
  { label: "Mayor", options: ["Aigerim", "Bauyrzhan", "Dana"], limit: 1 },
  { label: "Council", options: ["E", "F", "G", "H"], limit: 2 },
];

export const FIXTURE_CREATED_AT = 1_780_000_000_000;

export function fixtureElection(
  overrides: Partial<{
    validators: number;
    trustees: number;
    threshold: number;
    voters: number;
    seed: string;
    /** Default: open from FIXTURE_CREATED_AT for 30 years. */
    schedule: Schedule;
    commission: { members: number; threshold: number };
    regions: readonly RegionInput[];
    scopes: readonly ContestScope[];
  }> = {},
) {
  const setup: ElectionSetup = createElection({
    name: "Fixture election",
    createdAt: FIXTURE_CREATED_AT,
    seed: sha256(utf8(overrides.seed ?? "fixture")),
    validators: overrides.validators ?? 4,
    trustees: overrides.trustees ?? 3,
    threshold: overrides.threshold ?? 2,
    voters: overrides.voters ?? 6,
    contests: FIXTURE_CONTESTS,
    ...(overrides.schedule ? { schedule: overrides.schedule } : {}),
    ...(overrides.commission ? { commission: overrides.commission } : {}),
    ...(overrides.regions ? { regions: overrides.regions } : {}),
    ...(overrides.scopes ? { scopes: overrides.scopes } : {}),
  });
  return { setup, ctx: ledgerContext(setup.manifestBytes) };
}

/** The commission's approval of the manifest, signed by its first k members. */
export function approvalTx(setup: ElectionSetup): Uint8Array {
  const { threshold } = setup.manifest.commission;
  return commissionTx(
    commissionDecision(setup.electionId, "approve", setup.manifest.schedule.closesAt),
    setup.commission.slice(0, threshold).map((key, member) => ({ member, key })),
  );
}

/** A commission extension of the polls to `closesAt`, signed by the first k members. */
export function extensionTx(setup: ElectionSetup, closesAt: number): Uint8Array {
  const { threshold } = setup.manifest.commission;
  return commissionTx(
    commissionDecision(setup.electionId, "extend", closesAt),
    setup.commission.slice(0, threshold).map((key, member) => ({ member, key })),
  );
}

/** Registrations of the given voters (default all), one transaction per district. */
export function registrationTxs(
  setup: ElectionSetup,
  voters: readonly number[] = setup.voters.map((_, i) => i),
): Uint8Array[] {
  const { districts } = geographyOf(setup.manifest);
  const byDistrict = new Map<number, Uint8Array[]>();
  for (const i of voters) {
    const d = setup.voterDistricts[i]!;
    byDistrict.set(d, [...(byDistrict.get(d) ?? []), setup.voters[i]!.publicKey]);
  }
  return [...byDistrict].map(([d, keys]) =>
    registerTx(setup.electionId, setup.registrars[districts[d]!.region]!, d, keys),
  );
}
