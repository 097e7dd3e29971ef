/** A small seeded election used across ledger, node and CLI tests. */
import { utf8 } from "../../src/crypto/bytes.ts";
import { sha256 } from "../../src/crypto/hash.ts";
import { ledgerContext } from "../../src/ledger/context.ts";
import { createElection, type ElectionSetup } from "../../src/ledger/election-setup.ts";

export const FIXTURE_CONTESTS = [
  { label: "Mayor", options: ["Aigerim", "Bauyrzhan", "Dana"], limit: 1 },
  { label: "Council", options: ["E", "F", "G", "H"], limit: 2 },
];

export function fixtureElection(
  overrides: Partial<{
    validators: number;
    trustees: number;
    threshold: number;
    voters: number;
    seed: string;
  }> = {},
) {
  const setup: ElectionSetup = createElection({
    name: "Fixture election",
    createdAt: 1_780_000_000_000,
    seed: sha256(utf8(overrides.seed ?? "fixture")),
    validators: overrides.validators ?? 4,
    trustees: overrides.trustees ?? 3,
    threshold: overrides.threshold ?? 2,
    voters: overrides.voters ?? 6,
    contests: FIXTURE_CONTESTS,
  });
  return { setup, ctx: ledgerContext(setup.manifestBytes) };
}
