import { describe, expect, it } from "vitest";
import { decodeWith, encodeWith } from "../../../src/codec/schema.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { trackingCode } from "../../../src/election/tracking-code.ts";
import { isSaylauError } from "../../../src/errors.ts";
import {
  challengeCodec,
  encodeChallenge,
  openChallenge,
  sealBallot,
} from "../../../src/ledger/challenge.ts";
import {
  type BallotTx,
  decodeTransaction,
  encodeTransaction,
  signTransaction,
  txId,
} from "../../../src/ledger/transactions.ts";
import { ballotTx } from "../../../src/ledger/tx-builders.ts";
import { fixtureElection } from "../../support/election-fixture.ts";
import { nationalElection } from "../../support/national-fixture.ts";

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return null;
}

const seed = (label: string) => seededRng(new TextEncoder().encode(label.padEnd(16, ".")));

describe("challenge records (Benaloh cast-as-intended)", () => {
  const { setup, ctx } = fixtureElection();
  const voter = setup.voters[0]!;
  const choices = [
    [0, 1, 0],
    [1, 0, 0, 1],
  ];

  it("ballotTx is the sealed ballot's transaction", () => {
    const sealed = sealBallot(ctx, voter, 0, choices, 7, seed("same"));
    expect(ballotTx(ctx, voter, 0, choices, 7, seed("same"))).toEqual(sealed.tx);
  });

  it("opens to the choices and the tracking code the voter saw", () => {
    const sealed = sealBallot(ctx, voter, 0, choices, 7, seed("open"));
    const opened = openChallenge(ctx, encodeChallenge(sealed));
    expect(opened.choices).toEqual(choices);
    expect(opened.trackingCode).toBe(trackingCode(txId(sealed.tx)));
    expect(opened.credential).toEqual(voter.publicKey);
    expect(opened.seq).toBe(7);
    expect(opened.district).toBe(0);
  });

  it("opens a ballot in its district's style, and refuses one in another district's style", () => {
    const national = nationalElection(2, "challenge styles");
    const v = national.setup.voters[1]!; // district 1: three contests
    const rows = national.ctx.districtCrypto[1]!.shapes.map((s) =>
      Array.from({ length: s.options }, (_, j) => (j === 0 ? 1 : 0)),
    );
    const sealed = sealBallot(national.ctx, v, 1, rows, 1, seed("style"));
    const opened = openChallenge(national.ctx, encodeChallenge(sealed));
    expect(opened.district).toBe(1);
    expect(opened.choices).toEqual(rows);
    // The same ballot re-signed naming district 0, whose style has no district contest.
    const { sig: _sig, ...unsigned } = decodeTransaction(sealed.tx) as BallotTx;
    const moved = encodeTransaction(
      signTransaction<BallotTx>({ ...unsigned, district: 0 }, v.seed),
    );
    expect(
      codeOf(() => openChallenge(national.ctx, encodeChallenge({ ...sealed, tx: moved }))),
    ).toBe("ledger/wrong_style");
  });

  it("refuses a record for another election", () => {
    const other = fixtureElection({ seed: "other" });
    const sealed = sealBallot(other.ctx, other.setup.voters[0]!, 0, choices, 1, seed("x"));
    expect(codeOf(() => openChallenge(ctx, encodeChallenge(sealed)))).toBe(
      "challenge/wrong_election",
    );
  });

  it("refuses a ballot the credential did not sign", () => {
    const sealed = sealBallot(ctx, voter, 0, choices, 1, seed("sig"));
    const tx = decodeTransaction(sealed.tx);
    const forged = encodeTransaction({ ...tx, seq: 2 } as typeof tx);
    expect(codeOf(() => openChallenge(ctx, encodeChallenge({ ...sealed, tx: forged })))).toBe(
      "challenge/bad_signature",
    );
  });

  it("refuses nonces that open the ballot to nothing", () => {
    const sealed = sealBallot(ctx, voter, 0, choices, 1, seed("nonce"));
    const record = decodeWith(challengeCodec, encodeChallenge(sealed));
    const swapped = [record.nonces[0]!.slice().reverse(), record.nonces[1]!];
    const bad = encodeWith(challengeCodec, { ...record, nonces: swapped });
    expect(codeOf(() => openChallenge(ctx, bad))).toBe("election/bad_challenge");
  });

  it("refuses a record that is not canonical CBOR of the codec", () => {
    expect(codeOf(() => openChallenge(ctx, new Uint8Array([0xa0])))).toMatch(/^codec\//);
  });
});
