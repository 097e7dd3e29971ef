import { describe, expect, it } from "vitest";
import type { LedgerContext } from "../../../src/ledger/context.ts";
import { ballotTx } from "../../../src/ledger/tx-builders.ts";
import { verifyTransactions } from "../../../src/verify/verify-transactions.ts";
import { nationalElection } from "../../support/national-fixture.ts";
import { corruptProof } from "../../support/tamper.ts";

// One verification call holds ballots of several districts and so of several ballot styles
// (the national fixture: districts 0 and 1 of region A have styles of 2 and 3 contests,
// the other regions' the national contest alone). They are batched together; each is still
// checked in its own district's style.
const { setup, ctx } = nationalElection(12, "verify-across-styles");

function choices(c: LedgerContext, district: number, pick: number): number[][] {
  return c.districtCrypto[district]!.shapes.map((s) =>
    Array.from({ length: s.options }, (_, j) => (j === pick % s.options ? 1 : 0)),
  );
}

const ballots = setup.voters.map((v, i) => {
  const d = setup.voterDistricts[i]!;
  return ballotTx(ctx, v, d, choices(ctx, d, i), 1);
});
const styles = new Set(setup.voterDistricts.map((d) => ctx.districtCrypto[d]!.shapes.length));

describe("verification across ballot styles", () => {
  it("the fixture's voters are spread over districts of different styles", () => {
    expect(new Set(setup.voterDistricts).size).toBeGreaterThanOrEqual(3);
    expect(styles.size).toBeGreaterThanOrEqual(2);
  });

  it("passes valid ballots of every style in one call", () => {
    expect(verifyTransactions(ctx, ballots).map((v) => v.ok)).toEqual(ballots.map(() => true));
  });

  it("names exactly the ballots with a broken proof, whatever their style", () => {
    const broken = new Set([1, 6]);
    expect(setup.voterDistricts[1]).not.toBe(setup.voterDistricts[6]);
    const txs = ballots.map((b, i) => (broken.has(i) ? corruptProof(b, setup.voters[i]!.seed) : b));
    const verdicts = verifyTransactions(ctx, txs);
    verdicts.forEach((v, i) => {
      expect(v.ok, `ballot ${i}`).toBe(!broken.has(i));
      if (broken.has(i)) expect(v.code).toBe("election/bad_proof");
    });
  });
});
