import { afterAll, describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.ts";
import { generateKeyPair } from "../../../src/crypto/ed25519.ts";
import { publicArithmetic, useArithmetic } from "../../../src/election/public-arithmetic.ts";
import { type BallotTx, decodeTransaction } from "../../../src/ledger/transactions.ts";
import { ballotTx, registerTx } from "../../../src/ledger/tx-builders.ts";
import { VerifyPool } from "../../../src/verify/verify-pool.ts";
import { verifyTransactions } from "../../../src/verify/verify-transactions.ts";
import { approvalTx, extensionTx, fixtureElection } from "../../support/election-fixture.ts";
import { corruptProof } from "../../support/tamper.ts";

const { setup, ctx } = fixtureElection();
const pool = new VerifyPool({
  manifest: setup.manifestBytes,
  workers: 1,
  maxBatch: 16,
  lingerMs: 5,
});
afterAll(() => pool.close());

describe("transaction verification", () => {
  const good = setup.voters.slice(0, 5).map((v, i) =>
    ballotTx(
      ctx,
      v,
      0,
      [
        [i % 3 === 0 ? 1 : 0, 0, 0],
        [0, 1, 0, 0],
      ],
      1,
    ),
  );
  const bad = corruptProof(good[2]!, setup.voters[2]!.seed);
  const txs = [good[0]!, good[1]!, bad, good[3]!, approvalTx(setup), new Uint8Array([0xff])];

  it("names each bad transaction and passes the good ones, in-process", () => {
    const verdicts = verifyTransactions(ctx, txs);
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, false, true, true, false]);
    expect(verdicts[2]!.code).toBe("election/bad_proof");
    expect(verdicts[5]!.code).toBe("codec/malformed");
    // A verified ballot carries the decodings of its ciphertexts (2 contests: 3 + 4
    // selections, alpha and beta each), in order, for the tally on the calling thread.
    const ballot = decodeTransaction(good[0]!) as BallotTx;
    const encodings = ballot.ballot.contests.flatMap((c) =>
      c.selections.flatMap((s) => [toHex(s.alpha), toHex(s.beta)]),
    );
    expect(verdicts[0]!.tallyPoints?.map((p) => p.hex)).toEqual(encodings);
    expect(verdicts[2]!.tallyPoints).toBeUndefined();
    expect(verdicts[4]!.tallyPoints).toBeUndefined();
  });

  it("gives the same verdicts with either verification arithmetic (wasm, pure JS)", () => {
    const before = publicArithmetic().name;
    const verdicts = (["wasm", "js"] as const).map((name) => {
      useArithmetic(name);
      return verifyTransactions(ctx, txs).map(({ ok, code, message }) => ({ ok, code, message }));
    });
    useArithmetic(before);
    expect(verdicts[0]!.map((v) => v.ok)).toEqual([true, true, false, true, true, false]);
    expect(verdicts[1]).toEqual(verdicts[0]);
  });

  it("gives the same verdicts through the worker pool, batching concurrent submissions", async () => {
    const verdicts = await pool.verifyAll(txs);
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, false, true, true, false]);
    expect(verdicts[2]!.code).toBe("election/bad_proof");
    // The pool keeps the handed-over decodings and gives callers plain verdicts.
    expect(verdicts.every((v) => v.tallyPoints === undefined)).toBe(true);
  });

  it("checks a transaction once however many ask, and lets urgent checks jump the queue", async () => {
    const normal = Array.from({ length: 48 }, () =>
      registerTx(setup.electionId, setup.registrars[0]!, 0, [generateKeyPair().publicKey]),
    );
    const urgent = registerTx(setup.electionId, setup.registrars[0]!, 0, [
      generateKeyPair().publicKey,
    ]);
    const finished: string[] = [];
    const waits = normal.map((tx, i) =>
      pool.verify(tx, `normal-${i}`).then(() => {
        finished.push(`normal-${i}`);
      }),
    );
    // A second request for a queued transaction gets the very same pending check.
    expect(pool.verify(normal[40]!, "normal-40")).toBe(pool.verify(normal[40]!, "normal-40"));
    // Queued last, but urgent: it goes out with the next batch, ahead of the rest.
    waits.push(
      pool.verify(urgent, "urgent", true).then(() => {
        finished.push("urgent");
      }),
    );
    await Promise.all(waits);
    expect(finished.indexOf("urgent")).toBeLessThan(finished.indexOf("normal-47"));
  });

  it("measures the backlog in time: the oldest check's wait, or the queue at the recent rate", async () => {
    // Nothing is dispatched before a minute unless something urgent comes.
    const slow = new VerifyPool({ manifest: setup.manifestBytes, workers: 1, lingerMs: 60_000 });
    try {
      expect(slow.backlogMs()).toBe(0);
      // Before any batch there is no rate yet: the wait of the oldest is the backlog.
      const queuedAt = performance.now();
      const first = slow.verify(approvalTx(setup), "a");
      const later = performance.now();
      slow.verify(extensionTx(setup, setup.manifest.schedule.closesAt + 1), "b");
      const wait = slow.backlogMs(later + 500);
      expect(wait).toBeGreaterThanOrEqual(500);
      expect(wait).toBeLessThanOrEqual(500 + (later - queuedAt));
      // An urgent check sends the queue out with it.
      const key = generateKeyPair().publicKey;
      const urgent = slow.verify(
        registerTx(setup.electionId, setup.registrars[0]!, 0, [key]),
        "u",
        true,
      );
      expect(slow.backlogMs()).toBe(0);
      await Promise.all([first, urgent]);
      // Now the rate is known: a burst counts at once, before anything has waited.
      expect(slow.msPerCheck).toBeGreaterThan(0);
      const burst = Array.from({ length: 40 }, () =>
        registerTx(setup.electionId, setup.registrars[0]!, 0, [generateKeyPair().publicKey]),
      );
      const now = performance.now();
      for (const [i, tx] of burst.entries()) void slow.verify(tx, `burst-${i}`).catch(() => {});
      expect(slow.backlogMs(now)).toBeCloseTo(40 * slow.msPerCheck, 6);
    } finally {
      await slow.close();
    }
  });
});
