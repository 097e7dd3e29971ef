/**
 * Both verification backends give the same verdict on the same ballot, whatever is tampered
 * with: the same error code and details from verifyBallot, and the same bad ballots from
 * verifyBallotsBatch (fast-check, seeded; every run decodes fresh copies, so neither backend
 * sees the other's memoised decodings).
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { BallotBody } from "../../../src/election/ballot.ts";
import { encryptBallot, verifyBallot, verifyBallotsBatch } from "../../../src/election/index.ts";
import {
  type ArithmeticName,
  publicArithmetic,
  useArithmetic,
} from "../../../src/election/public-arithmetic.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { ARITHMETICS, credential, flipBit, rngFor, smallElection } from "./fixtures.ts";

const { ctx } = smallElection(4);
const rng = rngFor("verdicts");
const ballots = [0, 1, 2].map((i) => ({
  credential: credential(i),
  body: encryptBallot(
    ctx,
    credential(i),
    [[0, 1, 2].map((j) => (j === i ? 1 : 0)), [1, 0, 0, 1]],
    rng,
  ),
}));

/** Every byte string of a ballot body (points and scalars), as paths for tampering. */
function slots(body: BallotBody): { get(): Uint8Array; set(v: Uint8Array): void }[] {
  const out: { get(): Uint8Array; set(v: Uint8Array): void }[] = [];
  const add = (o: Record<string, unknown>, k: string) =>
    out.push({
      get: () => o[k] as Uint8Array,
      set: (v) => {
        o[k] = v;
      },
    });
  for (const contest of body.contests) {
    for (const sel of contest.selections) {
      add(sel as never, "alpha");
      add(sel as never, "beta");
      for (const br of sel.proof) for (const k of ["a", "b", "c", "v"]) add(br as never, k);
    }
    for (const br of contest.proof) for (const k of ["a", "b", "c", "v"]) add(br as never, k);
  }
  return out;
}

function verdict(name: ArithmeticName, cred: Uint8Array, body: BallotBody): string {
  useArithmetic(name);
  try {
    verifyBallot(ctx, cred, structuredClone(body));
    return "valid";
  } catch (err) {
    if (!isSaylauError(err)) throw err;
    return JSON.stringify({ code: err.code, details: err.details });
  }
}

const DEFAULT = publicArithmetic().name;
afterAll(() => useArithmetic(DEFAULT));

describe("the wasm and js verifiers agree", () => {
  const count = slots(ballots[0]!.body).length;

  it("on one ballot with any bit of any element flipped, or swapped in from another ballot", () => {
    fc.assert(
      fc.property(
        fc.nat(2),
        fc.nat(count - 1),
        fc.nat(255),
        fc.boolean(),
        (which, slot, bit, swap) => {
          const { credential: cred, body } = ballots[which]!;
          const tampered = structuredClone(body);
          const at = slots(tampered)[slot]!;
          const donor = slots(ballots[(which + 1) % 3]!.body)[slot]!;
          at.set(swap ? Uint8Array.from(donor.get()) : flipBit(at.get(), bit));
          const verdicts = ARITHMETICS.map((name) => verdict(name, cred, tampered));
          expect(verdicts[0]).not.toBe("valid");
          expect(verdicts[1]).toBe(verdicts[0]);
        },
      ),
      { numRuns: 60, seed: 20261201 },
    );
  });

  it("on a batch with one tampered ballot", () => {
    fc.assert(
      fc.property(fc.nat(2), fc.nat(count - 1), fc.nat(255), (which, slot, bit) => {
        const items = ballots.map((b) => ({
          credential: b.credential,
          body: structuredClone(b.body),
        }));
        const at = slots(items[which]!.body)[slot]!;
        at.set(flipBit(at.get(), bit));
        const bad = ARITHMETICS.map((name) => {
          useArithmetic(name);
          return verifyBallotsBatch(ctx, structuredClone(items));
        });
        expect(bad[0]).toEqual([which]);
        expect(bad[1]).toEqual(bad[0]);
      }),
      { numRuns: 30, seed: 20261202 },
    );
  });
});
