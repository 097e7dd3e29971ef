import { describe, expect, it } from "vitest";
import { encryptBallot, encryptBallotWithNonces } from "../../../src/election/ballot.ts";
import { openBallot } from "../../../src/election/challenge.ts";
import { scalarToBytes } from "../../../src/election/group.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { credential, rngFor, smallElection } from "./fixtures.ts";

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return null;
}

describe("opening a challenged ballot with its nonces", () => {
  const { ctx } = smallElection();
  const choices = [
    [0, 0, 1],
    [1, 0, 0, 1],
  ];

  it("encryptBallot is encryptBallotWithNonces without the nonces (same bytes, same rng)", () => {
    const plain = encryptBallot(ctx, credential(0), choices, rngFor("same"));
    const { body } = encryptBallotWithNonces(ctx, credential(0), choices, rngFor("same"));
    expect(body).toEqual(plain);
  });

  it("recovers every choice, undervotes and empty contests included", () => {
    for (const c of [
      choices,
      [
        [0, 0, 0],
        [0, 0, 0, 0],
      ],
      [
        [1, 0, 0],
        [0, 1, 0, 0],
      ],
    ]) {
      const { body, nonces } = encryptBallotWithNonces(ctx, credential(1), c, rngFor("open"));
      expect(
        openBallot(
          ctx,
          body,
          nonces.map((row) => row.map(scalarToBytes)),
        ),
      ).toEqual(c);
    }
  });

  it("rejects a nonce that does not open its selection", () => {
    const { body, nonces } = encryptBallotWithNonces(ctx, credential(2), choices, rngFor("bad"));
    const bytes = nonces.map((row) => row.map(scalarToBytes));
    bytes[1]![2] = scalarToBytes(nonces[1]![2]! + 1n);
    expect(codeOf(() => openBallot(ctx, body, bytes))).toBe("election/bad_challenge");
  });

  it("rejects a ballot whose beta encrypts neither 0 nor 1 under the revealed nonce", () => {
    const { body, nonces } = encryptBallotWithNonces(ctx, credential(3), choices, rngFor("beta"));
    const other = encryptBallotWithNonces(ctx, credential(3), choices, rngFor("other"));
    // alpha matches the nonce, beta comes from another encryption.
    const mixed = structuredClone(body);
    mixed.contests[0]!.selections[0]!.beta = other.body.contests[0]!.selections[0]!.beta;
    const bytes = nonces.map((row) => row.map(scalarToBytes));
    expect(codeOf(() => openBallot(ctx, mixed, bytes))).toBe("election/bad_challenge");
  });

  it("rejects nonces of the wrong shape", () => {
    const { body, nonces } = encryptBallotWithNonces(ctx, credential(4), choices, rngFor("shape"));
    const bytes = nonces.map((row) => row.map(scalarToBytes));
    expect(codeOf(() => openBallot(ctx, body, bytes.slice(0, 1)))).toBe("election/bad_challenge");
    expect(codeOf(() => openBallot(ctx, body, [bytes[0]!, bytes[1]!.slice(1)]))).toBe(
      "election/bad_challenge",
    );
  });
});
