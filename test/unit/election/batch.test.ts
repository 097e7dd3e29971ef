import { expect, it } from "vitest";
import { fromHex } from "../../../src/crypto/bytes.ts";
import { styleContext } from "../../../src/election/context.ts";
import { type BatchItem, encryptBallot, verifyBallotsBatch } from "../../../src/election/index.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { credential, describeEachArithmetic, rngFor, smallElection } from "./fixtures.ts";

const { ctx } = smallElection(3);
const rng = rngFor("batch");
const items = Array.from({ length: 10 }, (_, i) => {
  const cred = credential(i);
  const first = [0, 0, 0];
  if (i % 4 !== 0) first[i % 3] = 1;
  const second = [0, 0, 0, 0];
  second[i % 4] = 1;
  if (i % 2 === 0) second[(i + 1) % 4] = 1;
  return { credential: cred, body: encryptBallot(ctx, cred, [first, second], rng) };
});

describeEachArithmetic("batch verification", () => {
  it("accepts a batch of valid ballots", () => {
    expect(verifyBallotsBatch(ctx, items, seededRng(new Uint8Array(32).fill(1)))).toEqual([]);
    expect(verifyBallotsBatch(ctx, [])).toEqual([]);
  });

  it("names the one ballot with a bad group equation", () => {
    const tampered = items.map((it) => ({ ...it }));
    const body = structuredClone(items[6]!.body);
    // Same challenge sum, wrong response: only the group equation can catch this.
    body.contests[1]!.selections[3]!.proof[0]!.v = Uint8Array.from(
      items[5]!.body.contests[1]!.selections[3]!.proof[0]!.v,
    );
    tampered[6] = { credential: items[6]!.credential, body };
    expect(verifyBallotsBatch(ctx, tampered)).toEqual([6]);
  });

  it("names several bad ballots: wrong credential, bad encoding, bad equation", () => {
    const tampered = items.map((it) => ({ ...it }));
    tampered[0] = { credential: credential(99), body: items[0]!.body };
    const badPoint = structuredClone(items[3]!.body);
    badPoint.contests[0]!.selections[0]!.beta = fromHex(
      "0100000000000000000000000000000000000000000000000000000000000000",
    );
    tampered[3] = { credential: items[3]!.credential, body: badPoint };
    const badEquation = structuredClone(items[9]!.body);
    badEquation.contests[0]!.proof[1]!.a = Uint8Array.from(items[8]!.body.contests[0]!.proof[1]!.a);
    tampered[9] = { credential: items[9]!.credential, body: badEquation };
    expect(verifyBallotsBatch(ctx, tampered)).toEqual([0, 3, 9]);
  });
});

// Two ballot styles of the same election (contest 0 alone, contest 1 alone) beside the
// whole ballot: one batch, each ballot checked in its own style.
const mayorOnly = styleContext(ctx, [0]);
const councilOnly = styleContext(ctx, [1]);
const mixed: BatchItem[] = [
  ...items.slice(0, 3),
  ...[0, 1, 2].map((i) => {
    const cred = credential(20 + i);
    const choice = [0, 0, 0];
    choice[i] = 1;
    return {
      credential: cred,
      body: encryptBallot(mayorOnly, cred, [choice], rng),
      style: mayorOnly,
    };
  }),
  ...[0, 1].map((i) => {
    const cred = credential(30 + i);
    return {
      credential: cred,
      body: encryptBallot(councilOnly, cred, [[1, 0, 0, i]], rng),
      style: councilOnly,
    };
  }),
];

describeEachArithmetic("batch verification across ballot styles", () => {
  it("accepts valid ballots of different styles in one batch", () => {
    expect(verifyBallotsBatch(ctx, mixed)).toEqual([]);
  });

  it("refuses a ballot checked in a style other than its own, and names only it", () => {
    // The council-only ballot claimed as mayor-only: its shape and statements do not match.
    const wrongStyle = mixed.map((it) => ({ ...it }));
    wrongStyle[6] = { ...mixed[6]!, style: mayorOnly };
    expect(verifyBallotsBatch(ctx, wrongStyle)).toEqual([6]);
  });

  it("names the ballot of another style whose group equation is wrong", () => {
    const tampered = mixed.map((it) => ({ ...it }));
    const body = structuredClone(mixed[4]!.body);
    body.contests[0]!.selections[1]!.proof[0]!.v = Uint8Array.from(
      mixed[3]!.body.contests[0]!.selections[1]!.proof[0]!.v,
    );
    tampered[4] = { ...mixed[4]!, body };
    expect(verifyBallotsBatch(ctx, tampered)).toEqual([4]);
  });

  it("will not mix two elections' contexts in one batch", () => {
    const other = smallElection(4).ctx;
    expect(() => verifyBallotsBatch(ctx, [{ ...items[0]!, style: other }])).toThrow(
      /different elections/,
    );
  });
});
