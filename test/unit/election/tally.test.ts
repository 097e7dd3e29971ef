import { expect, it } from "vitest";
import {
  addBallot,
  combineShares,
  decodeDecryptionShare,
  decodeTally,
  emptyTally,
  encodeDecryptionShare,
  encodeTally,
  encryptBallot,
  partialDecrypt,
  subtractBallot,
  verifyDecryptionShare,
} from "../../../src/election/index.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { credential, describeEachArithmetic, flipBit, rngFor, smallElection } from "./fixtures.ts";

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return null;
}

const { election, ctx } = smallElection(5);
const rng = rngFor("tally");
const votes = [
  [
    [1, 0, 0],
    [1, 1, 0, 0],
  ],
  [
    [0, 1, 0],
    [0, 1, 1, 0],
  ],
  [
    [0, 0, 0],
    [0, 0, 0, 0],
  ],
  [
    [1, 0, 0],
    [0, 0, 0, 1],
  ],
  [
    [0, 0, 1],
    [1, 0, 0, 1],
  ],
];
const bodies = votes.map((v, i) => encryptBallot(ctx, credential(i), v, rng));
// Voter 1 revotes: the ledger subtracts the earlier ballot and adds the new one.
const revote = encryptBallot(
  ctx,
  credential(1),
  [
    [0, 0, 1],
    [1, 0, 0, 0],
  ],
  rng,
);
let tally = emptyTally(ctx);
for (const b of bodies) tally = addBallot(ctx, tally, b);
tally = subtractBallot(ctx, tally, bodies[1]!);
tally = addBallot(ctx, tally, revote);
const expected = [
  [2, 0, 2],
  [3, 1, 0, 2],
];
const shares = election.secrets.map((s) => partialDecrypt(ctx, s, tally, rng));

describeEachArithmetic("tally and threshold decryption", () => {
  it("encodes the tally canonically and decodes it back", () => {
    const bytes = encodeTally(tally);
    expect(encodeTally(decodeTally(ctx, bytes))).toEqual(bytes);
    expect(tally.ballotCount).toBe(5);
    expect(codeOf(() => subtractBallot(ctx, emptyTally(ctx), bodies[0]!))).toBe(
      "election/empty_tally",
    );
  });

  it("any t of n trustees give the same counts; t-1 fail clearly", () => {
    const pairs: [number, number][] = [
      [0, 1],
      [0, 2],
      [1, 2],
    ];
    for (const [i, j] of pairs) {
      expect(combineShares(ctx, tally, [shares[i]!, shares[j]!], 5)).toEqual(expected);
    }
    expect(combineShares(ctx, tally, shares, 5)).toEqual(expected);
    expect(codeOf(() => combineShares(ctx, tally, [shares[2]!], 5))).toBe(
      "election/not_enough_shares",
    );
    // The same trustee twice is still one trustee.
    expect(codeOf(() => combineShares(ctx, tally, [shares[0]!, shares[0]!], 5))).toBe(
      "election/not_enough_shares",
    );
  });

  it("a count above maxCount is a typed error, not a wrong answer", () => {
    expect(codeOf(() => combineShares(ctx, tally, shares, 2))).toBe("election/count_out_of_range");
  });

  it("round-trips shares through their canonical encoding", () => {
    const decoded = decodeDecryptionShare(encodeDecryptionShare(shares[1]!));
    verifyDecryptionShare(ctx, tally, decoded);
  });

  it("rejects a share with a wrong proof, for another tally, or from a non-trustee", () => {
    const wrongProof = structuredClone(shares[0]!);
    wrongProof.contests[1]![2]!.v = flipBit(wrongProof.contests[1]![2]!.v, 3);
    expect(codeOf(() => verifyDecryptionShare(ctx, tally, wrongProof))).toBe(
      "election/bad_decryption_share",
    );
    const wrongShare = structuredClone(shares[0]!);
    wrongShare.contests[0]![0]!.share = Uint8Array.from(shares[1]!.contests[0]![0]!.share);
    expect(codeOf(() => verifyDecryptionShare(ctx, tally, wrongShare))).toBe(
      "election/bad_decryption_share",
    );
    expect(codeOf(() => combineShares(ctx, tally, [wrongShare, shares[1]!], 5))).toBe(
      "election/bad_decryption_share",
    );
    const otherTally = addBallot(ctx, tally, bodies[0]!);
    expect(codeOf(() => verifyDecryptionShare(ctx, otherTally, shares[0]!))).toBe(
      "election/bad_decryption_share",
    );
    const outsider = { ...structuredClone(shares[0]!), trustee: 4 };
    expect(codeOf(() => verifyDecryptionShare(ctx, tally, outsider))).toBe(
      "election/unknown_trustee",
    );
    // A trustee claiming another trustee's slot fails that trustee's verification key.
    const impostor = { ...structuredClone(shares[0]!), trustee: 2 };
    expect(codeOf(() => verifyDecryptionShare(ctx, tally, impostor))).toBe(
      "election/bad_decryption_share",
    );
    // A secret that is not a share of this key cannot even produce a share.
    const forged = { ...election.secrets[0]!, index: 2 };
    expect(codeOf(() => partialDecrypt(ctx, forged, tally))).toBe("election/bad_trustee_secret");
  });
});
