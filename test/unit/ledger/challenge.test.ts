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
import { decodeTransaction, encodeTransaction, txId } from "../../../src/ledger/transactions.ts";
import { ballotTx } from "../../../src/ledger/tx-builders.ts";
import { fixtureElection } from "../../support/election-fixture.ts";

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
