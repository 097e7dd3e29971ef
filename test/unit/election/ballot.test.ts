import { expect, it } from "vitest";
import { encodeCanonical } from "../../../src/codec/cbor.ts";
import { fromHex } from "../../../src/crypto/bytes.ts";
import { type BallotBody, selectionStatement } from "../../../src/election/ballot.ts";
import { decodePoint, encodePoint, G, mulSecret } from "../../../src/election/group.ts";
import {
  decodeBallot,
  encodeBallot,
  encryptBallot,
  prepareElection,
  seededElection,
  verifyBallot,
} from "../../../src/election/index.ts";
import { proveRange } from "../../../src/election/range-proof.ts";
import { randomScalar } from "../../../src/election/rng.ts";
import { isSaylauError } from "../../../src/errors.ts";
import {
  credential,
  describeEachArithmetic,
  ELECTION_ID,
  flipBit,
  OTHER_ELECTION_ID,
  rngFor,
  smallElection,
} from "./fixtures.ts";

function errorOf(fn: () => unknown): { code: string; details: Record<string, unknown> } | null {
  try {
    fn();
  } catch (err) {
    if (isSaylauError(err)) return { code: err.code, details: { ...err.details } };
    throw err;
  }
  return null;
}

const { ctx } = smallElection();
const alice = credential(1);
const bob = credential(2);
const aliceBallot = encryptBallot(
  ctx,
  alice,
  [
    [0, 1, 0],
    [1, 0, 0, 1],
  ],
  rngFor("alice"),
);

describeEachArithmetic("ballot encryption and verification", () => {
  it("verifies honest ballots: a choice, an undervote, a full k-of-n", () => {
    verifyBallot(ctx, alice, aliceBallot);
    const blank = encryptBallot(
      ctx,
      bob,
      [
        [0, 0, 0],
        [0, 0, 0, 0],
      ],
      rngFor("blank"),
    );
    verifyBallot(ctx, bob, blank);
    const full = encryptBallot(
      ctx,
      bob,
      [
        [0, 0, 1],
        [0, 1, 1, 0],
      ],
      rngFor("full"),
    );
    verifyBallot(ctx, bob, full);
  });

  it("encodes canonically and decodes to the same bytes", () => {
    const bytes = encodeBallot(aliceBallot);
    const decoded = decodeBallot(ctx, bytes);
    expect(encodeBallot(decoded)).toEqual(bytes);
    verifyBallot(ctx, alice, decoded);
  });

  it("refuses to encrypt choices outside the rules", () => {
    expect(
      errorOf(() =>
        encryptBallot(ctx, alice, [
          [1, 1, 0],
          [0, 0, 0, 0],
        ]),
      )?.code,
    ).toBe("election/wrong_limit");
    expect(
      errorOf(() =>
        encryptBallot(ctx, alice, [
          [2, 0, 0],
          [0, 0, 0, 0],
        ]),
      )?.code,
    ).toBe("election/bad_choice");
    expect(errorOf(() => encryptBallot(ctx, alice, [[0, 0, 0]]))?.code).toBe(
      "election/wrong_shape",
    );
    expect(
      errorOf(() =>
        encryptBallot(ctx, new Uint8Array(31), [
          [0, 0, 0],
          [0, 0, 0, 0],
        ]),
      )?.code,
    ).toBe("election/bad_credential");
  });

  it("rejects an encryption of 2 with a forged 0/1 proof", () => {
    const rng = rngFor("cheat");
    const body = structuredClone(aliceBallot);
    const r = randomScalar(rng);
    const alpha = mulSecret(G, r);
    const beta = G.multiply(2n).add(mulSecret(ctx.jointKey, r));
    const alphaBytes = encodePoint(alpha);
    const betaBytes = encodePoint(beta);
    const st = selectionStatement(ctx, alice, 1, 2, alphaBytes, betaBytes);
    // The cheating prover claims the value is 1 and runs the honest prover for that branch.
    const proof = proveRange(ctx.bases, st, alpha, beta, r, 1, rng);
    body.contests[1]!.selections[2] = { alpha: alphaBytes, beta: betaBytes, proof };
    const err = errorOf(() => verifyBallot(ctx, alice, body));
    expect(err?.code).toBe("election/bad_proof");
    expect(err?.details).toMatchObject({ contest: 1, option: 2, proof: "selection" });
  });

  it("rejects a contest sum above the limit even when every selection is 0/1", () => {
    const rng = rngFor("overvote");
    // Two honest 0/1 selections in a 1-of-3 contest, and a contest proof forged for sum = 1.
    const honest = encryptBallot(
      ctx,
      alice,
      [
        [0, 1, 0],
        [0, 0, 0, 0],
      ],
      rng,
    );
    const other = encryptBallot(
      ctx,
      alice,
      [
        [1, 0, 0],
        [0, 0, 0, 0],
      ],
      rng,
    );
    const body = structuredClone(honest);
    body.contests[0]!.selections[0] = structuredClone(other.contests[0]!.selections[0]!);
    const err = errorOf(() => verifyBallot(ctx, alice, body));
    expect(err?.code).toBe("election/bad_proof");
    expect(err?.details).toMatchObject({ contest: 0, option: null, proof: "contest" });
  });

  it("binds the credential, the election, and the ciphertext", () => {
    expect(errorOf(() => verifyBallot(ctx, bob, aliceBallot))?.code).toBe("election/bad_proof");
    const otherCtx = prepareElection(ctx.description, OTHER_ELECTION_ID);
    expect(errorOf(() => verifyBallot(otherCtx, alice, aliceBallot))?.code).toBe(
      "election/bad_proof",
    );
    // A proof copied from another ballot of the same voter, same position.
    const second = encryptBallot(
      ctx,
      alice,
      [
        [0, 1, 0],
        [1, 0, 0, 1],
      ],
      rngFor("alice-2"),
    );
    const copied = structuredClone(aliceBallot);
    copied.contests[0]!.selections[1]!.proof = structuredClone(
      second.contests[0]!.selections[1]!.proof,
    );
    expect(errorOf(() => verifyBallot(ctx, alice, copied))?.details).toMatchObject({
      contest: 0,
      option: 1,
    });
    // Re-randomised ciphertext (same plaintext) with the old proof.
    const s = randomScalar(rngFor("rerandomise"));
    const rerandomised = structuredClone(aliceBallot);
    const sel = rerandomised.contests[1]!.selections[0]!;
    sel.alpha = encodePoint(decodePoint(sel.alpha).add(mulSecret(G, s)));
    sel.beta = encodePoint(decodePoint(sel.beta).add(mulSecret(ctx.jointKey, s)));
    expect(errorOf(() => verifyBallot(ctx, alice, rerandomised))?.details).toMatchObject({
      contest: 1,
      option: 0,
    });
  });

  it("rejects malformed encodings with typed errors", () => {
    const badPoint = structuredClone(aliceBallot);
    badPoint.contests[0]!.selections[0]!.alpha = fromHex(
      "0100000000000000000000000000000000000000000000000000000000000000",
    );
    expect(errorOf(() => decodeBallot(ctx, encodeBallot(badPoint)))?.code).toBe(
      "election/bad_point",
    );
    const badScalar = structuredClone(aliceBallot);
    badScalar.contests[0]!.proof[0]!.v = new Uint8Array(32).fill(0xff);
    expect(errorOf(() => decodeBallot(ctx, encodeBallot(badScalar)))?.code).toBe(
      "election/bad_scalar",
    );
    const shortProof = structuredClone(aliceBallot);
    shortProof.contests[1]!.proof.pop();
    expect(errorOf(() => decodeBallot(ctx, encodeBallot(shortProof)))?.code).toBe(
      "election/wrong_limit",
    );
    const missingContest = structuredClone(aliceBallot);
    missingContest.contests.pop();
    expect(errorOf(() => decodeBallot(ctx, encodeBallot(missingContest)))?.code).toBe(
      "election/wrong_shape",
    );
    const extraField = { ...structuredClone(aliceBallot), extra: 1 };
    expect(errorOf(() => decodeBallot(ctx, encodeCanonical(extraField as never)))?.code).toBe(
      "codec/invalid_field",
    );
  });
});

const FLIPPED_BIT = "a flipped bit in any element of a ballot is rejected with a typed error";
describeEachArithmetic(FLIPPED_BIT, () => {
  // A 1-of-2 election keeps this exhaustive walk fast.
  const tiny = seededElection({
    seed: new Uint8Array(32).fill(9),
    contests: [{ label: "yes/no", options: ["yes", "no"], limit: 1 }],
    threshold: 1,
    trusteeCount: 1,
  });
  const tinyCtx = prepareElection(tiny.description, ELECTION_ID);
  const honest = encryptBallot(tinyCtx, alice, [[1, 0]], rngFor("tiny"));

  type Path = (b: BallotBody) => { get(): Uint8Array; set(v: Uint8Array): void };
  const paths: { name: string; at: Path; scalar: boolean }[] = [];
  honest.contests[0]!.selections.forEach((_, j) => {
    for (const k of ["alpha", "beta"] as const) {
      paths.push({
        name: `selection ${j} ${k}`,
        scalar: false,
        at: (b) => ({
          get: () => b.contests[0]!.selections[j]![k],
          set: (v) => {
            b.contests[0]!.selections[j]![k] = v;
          },
        }),
      });
    }
    for (let br = 0; br < 2; br++) {
      for (const k of ["a", "b", "c", "v"] as const) {
        paths.push({
          name: `selection ${j} branch ${br} ${k}`,
          scalar: k === "c" || k === "v",
          at: (b) => ({
            get: () => b.contests[0]!.selections[j]!.proof[br]![k],
            set: (v) => {
              b.contests[0]!.selections[j]!.proof[br]![k] = v;
            },
          }),
        });
      }
    }
  });
  for (let br = 0; br < 2; br++) {
    for (const k of ["a", "b", "c", "v"] as const) {
      paths.push({
        name: `contest branch ${br} ${k}`,
        scalar: k === "c" || k === "v",
        at: (b) => ({
          get: () => b.contests[0]!.proof[br]![k],
          set: (v) => {
            b.contests[0]!.proof[br]![k] = v;
          },
        }),
      });
    }
  }

  it(`covers all ${paths.length} elements`, () => {
    verifyBallot(tinyCtx, alice, honest);
    for (const { name, at, scalar } of paths) {
      for (const bit of scalar ? [0, 255] : [0, 9]) {
        const body = structuredClone(honest);
        const slot = at(body);
        slot.set(flipBit(slot.get(), bit));
        const err = errorOf(() => verifyBallot(tinyCtx, alice, body));
        expect(err, `${name} bit ${bit}`).not.toBeNull();
        expect(["election/bad_point", "election/bad_scalar", "election/bad_proof"]).toContain(
          err!.code,
        );
        if (scalar && bit === 255) expect(err!.code).toBe("election/bad_scalar");
      }
    }
  });
});
