/**
 * The precheck takes the phase at the validator's clock, not at the tip: the polls open and
 * close with the clock even when no block has been made since. Explicit clocks against an
 * in-memory chain of the national fixture (polls open from T_OPEN to T_CLOSE).
 */
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../../src/crypto/ed25519.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { MemoryLedger } from "../../../src/ledger/memory-ledger.ts";
import { decodeTransaction } from "../../../src/ledger/transactions.ts";
import { ballotTx, decryptionTx, registerTx } from "../../../src/ledger/tx-builders.ts";
import type { LedgerReplica } from "../../../src/node/ledger-replica.ts";
import { precheck } from "../../../src/node/precheck.ts";
import { verifyTransactions } from "../../../src/verify/verify-transactions.ts";
import { approvalTx, registrationTxs } from "../../support/election-fixture.ts";
import { nationalElection, T_CLOSE, T_CREATED, T_OPEN } from "../../support/national-fixture.ts";

const { setup, ctx } = nationalElection(6, "precheck");
const ledger = new MemoryLedger(ctx);
/** What the precheck reads of a replica: its context, its tip and credential records. */
const replica = {
  ctx,
  get tip() {
    return ledger.tip;
  },
  credentials: async (keys: readonly Uint8Array[]) =>
    keys.map((k) => ledger.credential(toHex(k)) ?? null),
} as unknown as LedgerReplica;

function commit(txs: Uint8Array[], time: number): void {
  const next = ledger.propose(txs, time, 0);
  if (next.rejected.length > 0) throw next.rejected[0]!.error;
  ledger.commit(next.block);
}

async function outcome(bytes: Uint8Array, now: number): Promise<string> {
  try {
    await precheck(replica, decodeTransaction(bytes), now);
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

const CHOICES = [
  [
    [1, 0, 0],
    [0, 1],
  ],
  [
    [0, 1, 0],
    [1, 0],
    [1, 0, 1, 0],
  ],
];
// Voter 0 is in district 0 (A-1: President and the regional contest); voter 1 in district 1
// both and the district contest).
const ballot0 = ballotTx(ctx, setup.voters[0]!, setup.voterDistricts[0]!, CHOICES[0]!, 1);

describe("precheck at the validator's clock", () => {
  it("before the approval, admits only the commission's transactions", async () => {
    expect(ledger.tip.state.phase).toBe("setup");
    expect(await outcome(registrationTxs(setup)[0]!, T_OPEN + 1)).toBe("ledger/not_approved");
    expect(await outcome(ballot0, T_OPEN + 1)).toBe("ledger/not_approved");
    expect(await outcome(approvalTx(setup), T_CREATED + 1000)).toBe("ok");
    commit([approvalTx(setup)], T_CREATED + 1000);
    commit(registrationTxs(setup), T_CREATED + 2000);
    expect(ledger.tip.state).toMatchObject({ phase: "registration", credentials: 6 });
  });

  it("refuses a ballot before opensAt and at or after closesAt with ledger/outside_window", async () => {
    expect(await outcome(ballot0, T_CREATED + 3000)).toBe("ledger/outside_window");
    expect(await outcome(ballot0, T_OPEN - 1)).toBe("ledger/outside_window");
    // No block since the registration: the tip still says "registration", the clock "open".
    expect(ledger.tip.state.phase).toBe("registration");
    expect(await outcome(ballot0, T_OPEN)).toBe("ok");
    expect(await outcome(ballot0, T_CLOSE - 1)).toBe("ok");
    expect(await outcome(ballot0, T_CLOSE)).toBe("ledger/outside_window");
  });

  it("refuses a decryption before closesAt with ledger/wrong_phase, and admits it after", async () => {
    const voter1 = ballotTx(ctx, setup.voters[1]!, setup.voterDistricts[1]!, CHOICES[1]!, 1);
    commit([ballot0, voter1], T_OPEN + 1000);
    expect(ledger.tip.state.phase).toBe("open");
    const district = setup.voterDistricts[0]!;
    const share = decryptionTx(
      ctx,
      setup.trustees[0]!,
      district,
      ledger.tip.state.districts[district]!.tally,
    );
    expect(await outcome(share, T_OPEN + 2000)).toBe("ledger/wrong_phase");
    expect(await outcome(share, T_CLOSE - 1)).toBe("ledger/wrong_phase");
    // The tip is still open; the clock has closed the polls.
    expect(await outcome(share, T_CLOSE)).toBe("ok");
    // A district nobody voted in has its (zero) result at the close: nothing to decrypt.
    const empty = 5; // C-2: voter 5's district, who does not vote
    expect(ledger.tip.state.districts[empty]!.tally.ballotCount).toBe(0);
    const emptyShare = decryptionTx(
      ctx,
      setup.trustees[0]!,
      empty,
      ledger.tip.state.districts[empty]!.tally,
    );
    expect(await outcome(emptyShare, T_CLOSE)).toBe("ledger/already_tallied");
  });

  it("refuses a registration by another region's registrar: ledger/wrong_registrar at verification", async () => {
    const fresh = keyPairFromSeed(sha256(utf8("precheck/fresh"))).publicKey;
    // District 0 is in region 0; region 1's registrar signs.
    const foreign = registerTx(setup.electionId, setup.registrars[1]!, 0, [fresh]);
    const own = registerTx(setup.electionId, setup.registrars[0]!, 0, [fresh]);
    // The precheck looks at the state (the district exists, the key is new) ...
    expect(await outcome(foreign, T_OPEN + 3000)).toBe("ok");
    // ... the signature check, which admission runs next, names the mistake.
    const [bad, good] = verifyTransactions(ctx, [foreign, own]);
    expect(bad).toMatchObject({ ok: false, code: "ledger/wrong_registrar" });
    expect(good).toMatchObject({ ok: true });
  });
});
