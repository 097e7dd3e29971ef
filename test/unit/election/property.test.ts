/**
 * End-to-end property: random elections (contests, limits, trustees, thresholds) with random
 * ballots, some of them replaced by revotes, decrypt to exactly the plaintext counts, and the
 * batch verifier accepts every honest ballot.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addBallot,
  combineShares,
  emptyTally,
  encryptBallot,
  partialDecrypt,
  prepareElection,
  seededElection,
  seededRng,
  subtractBallot,
  verifyBallotsBatch,
} from "../../../src/election/index.ts";
import { ELECTION_ID } from "./fixtures.ts";

const contestArb = fc
  .integer({ min: 1, max: 4 })
  .chain((options) =>
    fc.record({ options: fc.constant(options), limit: fc.integer({ min: 1, max: options }) }),
  );

const electionArb = fc
  .record({
    contests: fc.array(contestArb, { minLength: 1, maxLength: 2 }),
    trusteeCount: fc.integer({ min: 1, max: 4 }),
    seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  })
  .chain((e) =>
    fc.record({
      contests: fc.constant(e.contests),
      trusteeCount: fc.constant(e.trusteeCount),
      seed: fc.constant(e.seed),
      threshold: fc.integer({ min: 1, max: e.trusteeCount }),
      // Each ballot: per contest a set of chosen options, at most the limit.
      ballots: fc.array(
        fc.tuple(
          ...e.contests.map((c) =>
            fc.uniqueArray(fc.integer({ min: 0, max: c.options - 1 }), { maxLength: c.limit }),
          ),
        ),
        { minLength: 1, maxLength: 12 },
      ),
      revotes: fc.array(fc.nat(), { maxLength: 2 }),
    }),
  );

describe("random elections decrypt to the plaintext counts", () => {
  it("holds for every generated election", () => {
    let totalBallots = 0;
    fc.assert(
      fc.property(electionArb, (input) => {
        const contests = input.contests.map((c, i) => ({
          label: `contest ${i}`,
          options: Array.from({ length: c.options }, (_, j) => `option ${j}`),
          limit: c.limit,
        }));
        const election = seededElection({
          seed: input.seed,
          contests,
          threshold: input.threshold,
          trusteeCount: input.trusteeCount,
        });
        const ctx = prepareElection(election.description, ELECTION_ID);
        const rng = seededRng(input.seed);
        const toChoices = (picked: readonly number[][]): number[][] =>
          contests.map((c, i) => c.options.map((_, j) => (picked[i]!.includes(j) ? 1 : 0)));
        const expected = contests.map((c) => c.options.map(() => 0));
        const items = input.ballots.map((picked, i) => {
          const credential = new Uint8Array(32).fill(i + 1);
          return { credential, choices: toChoices(picked), body: null as never };
        });
        const cast = items.map((it) => ({
          ...it,
          body: encryptBallot(ctx, it.credential, it.choices, rng),
        }));
        let tally = emptyTally(ctx);
        for (const b of cast) tally = addBallot(ctx, tally, b.body);
        // Revoting: the voter's earlier ballot leaves the tally, the new one (all blank) enters.
        const revoted = new Set<number>();
        for (const r of input.revotes) {
          const i = r % cast.length;
          if (revoted.has(i)) continue;
          revoted.add(i);
          const blank: number[][] = contests.map((c) => c.options.map(() => 0));
          const again = encryptBallot(ctx, cast[i]!.credential, blank, rng);
          tally = subtractBallot(ctx, tally, cast[i]!.body);
          tally = addBallot(ctx, tally, again);
          cast[i] = { ...cast[i]!, choices: blank, body: again };
        }
        for (const b of cast) {
          b.choices.forEach((row, i) => {
            row.forEach((v, j) => {
              expected[i]![j]! += v;
            });
          });
        }
        totalBallots += cast.length;
        expect(verifyBallotsBatch(ctx, cast)).toEqual([]);
        // Decrypt with the last t trustees (not always the first ones).
        const shares = election.secrets
          .slice(input.trusteeCount - input.threshold)
          .map((s) => partialDecrypt(ctx, s, tally, rng));
        expect(combineShares(ctx, tally, shares, tally.ballotCount)).toEqual(expected);
      }),
      { numRuns: 16, seed: 20261124 },
    );
    expect(totalBallots).toBeGreaterThan(48);
  });
});
