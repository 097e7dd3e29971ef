import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { hashToScalar } from "../../../src/election/hash-to-scalar.ts";
import {
  addBallot,
  combineShares,
  decodeBallot,
  decodeDecryptionShare,
  decodeElectionDescription,
  decodeTrusteeSecret,
  emptyTally,
  encodeTally,
  prepareElection,
  verifyBallot,
  verifyDecryptionShare,
} from "../../../src/election/index.ts";
import { buildVectors } from "./vectors/build.ts";

function load(name: string) {
  return JSON.parse(readFileSync(new URL(`./vectors/${name}.json`, import.meta.url), "utf8"));
}
const stored = { ceremony: load("ceremony"), ballot: load("ballot"), tally: load("tally") };

describe("checked-in deterministic vectors", () => {
  it("are reproduced exactly from their seeds", () => {
    expect(buildVectors()).toEqual(stored);
  });

  it("check out on their own, from the stored bytes only", () => {
    const description = decodeElectionDescription(fromHex(stored.ceremony.description));
    const ctx = prepareElection(description, fromHex(stored.ceremony.electionId));
    expect(toHex(description.jointKey)).toBe(stored.ceremony.jointKey);
    for (const t of stored.ceremony.trustees) {
      const secret = decodeTrusteeSecret(fromHex(t.secret));
      expect(secret.index).toBe(t.index);
      expect(toHex(ctx.verificationKey(t.index).toBytes())).toBe(t.verificationKey);
    }

    const body = decodeBallot(ctx, fromHex(stored.ballot.body));
    verifyBallot(ctx, fromHex(stored.ballot.credential), body);
    const fs = stored.ballot.selection00;
    expect(hashToScalar(fs.dst, fromHex(fs.message)).toString(16)).toBe(fs.challenge);

    let tally = emptyTally(ctx);
    for (const b of stored.tally.ballots) {
      const decoded = decodeBallot(ctx, fromHex(b.body));
      verifyBallot(ctx, fromHex(b.credential), decoded);
      tally = addBallot(ctx, tally, decoded);
    }
    expect(toHex(encodeTally(tally))).toBe(stored.tally.tally);
    const shares = stored.tally.shares.map((hex: string) => decodeDecryptionShare(fromHex(hex)));
    for (const s of shares) verifyDecryptionShare(ctx, tally, s);
    expect(combineShares(ctx, tally, shares.slice(1), stored.tally.ballots.length)).toEqual(
      stored.tally.counts,
    );
  });
});
