import { describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { encodeTally } from "../../../src/ledger/ballot-crypto.ts";
import { MemoryLedger } from "../../../src/ledger/memory-ledger.ts";
import { resultsOf } from "../../../src/ledger/results.ts";
import {
  type BallotTx,
  decodeTransaction,
  encodeTransaction,
  signCommission,
  signTransaction,
} from "../../../src/ledger/transactions.ts";
import {
  ballotTx,
  commissionDecision,
  commissionTx,
  decryptionTx,
  registerTx,
  revokeTx,
} from "../../../src/ledger/tx-builders.ts";
import { nationalElection, T_CLOSE, T_OPEN } from "../../support/national-fixture.ts";

function rejection(ledger: MemoryLedger, tx: Uint8Array, time: number): string {
  const next = ledger.propose([tx], time);
  if (next.rejected.length === 0) return "accepted";
  const err = next.rejected[0]!.error;
  return isSaylauError(err) ? err.code : String(err);
}

function commit(ledger: MemoryLedger, txs: Uint8Array[], time: number) {
  const next = ledger.propose(txs, time);
  expect(next.rejected.map((r) => r.error.code)).toEqual([]);
  return ledger.commit(next.block);
}

function approved() {
  const { setup, ctx } = nationalElection();
  const ledger = new MemoryLedger(ctx);
  const id = setup.electionId;
  const approve = commissionTx(commissionDecision(id, "approve", T_CLOSE), [
    { member: 0, key: setup.commission[0]! },
    { member: 2, key: setup.commission[2]! },
  ]);
  commit(ledger, [approve], T_OPEN - 30_000);
  const byDistrict = new Map<number, Uint8Array[]>();
  setup.voters.forEach((v, i) => {
    const d = setup.voterDistricts[i]!;
    byDistrict.set(d, [...(byDistrict.get(d) ?? []), v.publicKey]);
  });
  commit(
    ledger,
    [...byDistrict].map(([d, keys]) =>
      registerTx(id, setup.registrars[ctx.geography.districts[d]!.region]!, d, keys),
    ),
    T_OPEN - 20_000,
  );
  return { setup, ctx, ledger, id };
}

/** One choice row per contest on district d's ballot: option `pick` (mod options). */
function choicesFor(ctx: ReturnType<typeof nationalElection>["ctx"], d: number, pick: number) {
  return ctx.districtCrypto[d]!.shapes.map((s) =>
    Array.from({ length: s.options }, (_, j) => (j === pick % s.options ? 1 : 0)),
  );
}

describe("a national election: regions, districts, ballot styles, per-district results", () => {
  it("gives each district the contests whose scope contains it", () => {
    const { ctx } = nationalElection();
    expect(ctx.geography.districts.map((d) => d.style)).toEqual([
      [0, 1],
      [0, 1, 2],
      [0],
      [0],
      [0],
      [0],
    ]);
  });

  it("runs approve, register, vote, revote, revoke, close, decrypt; results per district and region add up", () => {
    const { setup, ctx, ledger, id } = approved();
    const t = (s: number) => T_OPEN + s * 1000;
    // Every voter votes for option (index % 3) of every contest on their ballot; voter 0 revotes.
    const ballots = setup.voters.map((v, i) =>
      ballotTx(ctx, v, setup.voterDistricts[i]!, choicesFor(ctx, setup.voterDistricts[i]!, i), 1),
    );
    commit(ledger, ballots, t(1));
    commit(ledger, [ballotTx(ctx, setup.voters[0]!, 0, choicesFor(ctx, 0, 1), 2)], t(2));
    // Voter 7 (district 1, region 0) is revoked by region 0's registrar after voting.
    commit(ledger, [revokeTx(id, setup.registrars[0]!, 0, [setup.voters[7]!.publicKey])], t(3));
    expect(ledger.tip.state.voters).toBe(setup.voters.length - 1);
    // The trustees decrypt every district with a ballot after the close.
    const state = ledger.tip.state;
    const shares = state.districts.flatMap((d, i) =>
      d.tally.ballotCount === 0
        ? []
        : [1, 3].map((trustee) => decryptionTx(ctx, setup.trustees[trustee - 1]!, i, d.tally)),
    );
    commit(ledger, shares, T_CLOSE + 1000);
    const results = resultsOf(ctx, ledger.tip.state);
    expect(results.complete).toBe(true);
    expect(results.phase).toBe("closed");
    // Expected: per district, per contest on its ballot, each counted voter's final pick.
    const expected = ctx.geography.districts.map((d) =>
      ctx.districtCrypto[d.index]!.shapes.map((s) => new Array<number>(s.options).fill(0)),
    );
    setup.voters.forEach((_, i) => {
      if (i === 7) return;
      const d = setup.voterDistricts[i]!;
      const pick = i === 0 ? 1 : i;
      ctx.districtCrypto[d]!.shapes.forEach((s, c) => {
        expected[d]![c]![pick % s.options]! += 1;
      });
    });
    ledger.tip.state.districts.forEach((d, i) => {
      expect(d.result).toEqual(expected[i]);
    });
    const president = results.contests[0]!;
    expect(president.districts.map((d) => d.id)).toEqual([
      "A-1",
      "A-2",
      "B-1",
      "B-2",
      "C-1",
      "C-2",
    ]);
    expect(president.total).toEqual(
      [0, 1, 2].map((o) => expected.reduce((a, d) => a + d[0]![o]!, 0)),
    );
    expect(president.regions.map((r) => r.counts)).toEqual(
      [0, 1, 2].map((r) =>
        [0, 1, 2].map((o) => expected[2 * r]![0]![o]! + expected[2 * r + 1]![0]![o]!),
      ),
    );
    expect(results.contests[2]!.districts.map((d) => d.id)).toEqual(["A-2"]);
    expect(results.contests[1]!.regions.map((r) => r.id)).toEqual(["R-A"]);
  });

  it("refuses each thing no single party may do alone, with its own code", () => {
    const { setup, ctx, ledger, id } = approved();
    const voter = setup.voters[2]!; // district 2, region 1
    // A registrar registers only in its own region's districts.
    const stranger = new Uint8Array(32).fill(9);
    expect(
      rejection(
        ledger,
        registerTx(id, setup.registrars[0]!, 2, [setup.voters[0]!.publicKey]),
        T_OPEN,
      ),
    ).toBe("ledger/wrong_registrar");
    // One commission member cannot extend the polls (threshold 2), nor one member twice.
    const extend = commissionDecision(id, "extend", T_CLOSE + 3_600_000);
    expect(
      rejection(ledger, commissionTx(extend, [{ member: 1, key: setup.commission[1]! }]), T_OPEN),
    ).toBe("ledger/too_few_signatures");
    // A ballot with another district's style, or naming another district.
    expect(rejection(ledger, ballotTx(ctx, voter, 1, choicesFor(ctx, 1, 0), 1), T_OPEN + 1)).toBe(
      "ledger/wrong_district",
    );
    // A ballot outside the window, before and after.
    expect(rejection(ledger, ballotTx(ctx, voter, 2, choicesFor(ctx, 2, 0), 1), T_OPEN - 1)).toBe(
      "ledger/outside_window",
    );
    expect(rejection(ledger, ballotTx(ctx, voter, 2, choicesFor(ctx, 2, 0), 1), T_CLOSE)).toBe(
      "ledger/outside_window",
    );
    // Another region's registrar cannot revoke this voter.
    expect(
      rejection(ledger, revokeTx(id, setup.registrars[0]!, 0, [voter.publicKey]), T_OPEN),
    ).toBe("ledger/wrong_region");
    // A registration to a district that does not exist.
    expect(rejection(ledger, registerTx(id, setup.registrars[0]!, 6, [stranger]), T_OPEN)).toBe(
      "ledger/unknown_district",
    );
    // A trustee decrypts nothing before the close.
    const tally = ledger.tip.state.districts[0]!.tally;
    expect(rejection(ledger, decryptionTx(ctx, setup.trustees[0]!, 0, tally), T_OPEN)).toBe(
      "ledger/wrong_phase",
    );
  });

  it("accepts nothing before the commission approves, and an extension only with k signatures", () => {
    const { setup, ctx } = nationalElection();
    const ledger = new MemoryLedger(ctx);
    const id = setup.electionId;
    expect(
      rejection(
        ledger,
        registerTx(id, setup.registrars[0]!, 0, [setup.voters[0]!.publicKey]),
        T_OPEN,
      ),
    ).toBe("ledger/not_approved");
    commit(
      ledger,
      [
        commissionTx(commissionDecision(id, "approve", T_CLOSE), [
          { member: 0, key: setup.commission[0]! },
          { member: 1, key: setup.commission[1]! },
        ]),
      ],
      T_OPEN,
    );
    expect(ledger.tip.state.phase).toBe("open");
    const later = T_CLOSE + 600_000;
    commit(
      ledger,
      [
        commissionTx(commissionDecision(id, "extend", later), [
          { member: 1, key: setup.commission[1]! },
          { member: 2, key: setup.commission[2]! },
        ]),
      ],
      T_OPEN + 1,
    );
    expect(ledger.tip.state.closesAt).toBe(later);
    commit(
      ledger,
      [registerTx(id, setup.registrars[0]!, 0, [setup.voters[0]!.publicKey])],
      T_CLOSE + 1,
    );
    expect(ledger.tip.state.phase).toBe("open");
    // Shortening is not an extension.
    expect(
      rejection(
        ledger,
        commissionTx(commissionDecision(id, "extend", T_CLOSE), [
          { member: 0, key: setup.commission[0]! },
          { member: 1, key: setup.commission[1]! },
        ]),
        T_CLOSE + 2,
      ),
    ).toBe("ledger/not_an_extension");
  });
});

describe("what no party can do alone, each refused with its own code", () => {
  /** A commission decision with exactly these (member, key index) signatures, in this order. */
  function decision(
    setup: ReturnType<typeof nationalElection>["setup"],
    action: "approve" | "extend",
    closesAt: number,
    signers: readonly [member: number, key: number][],
  ): Uint8Array {
    const unsigned = commissionDecision(setup.electionId, action, closesAt);
    return encodeTransaction({
      ...unsigned,
      signatures: signers.map(([member, key]) =>
        signCommission(unsigned, member, setup.commission[key]!.seed),
      ),
    });
  }

  it("a registrar registers and revokes only in its own region", () => {
    const { setup, ledger, id } = approved();
    const fresh = new Uint8Array(32).fill(0x42);
    // Region 0's registrar, district 2 (region 1); region 1's registrar, district 0 (region 0).
    expect(rejection(ledger, registerTx(id, setup.registrars[0]!, 2, [fresh]), T_OPEN)).toBe(
      "ledger/wrong_registrar",
    );
    expect(rejection(ledger, registerTx(id, setup.registrars[1]!, 0, [fresh]), T_OPEN)).toBe(
      "ledger/wrong_registrar",
    );
    // Voter 2 is in district 2 (region 1): region 0's registrar cannot revoke it, signing
    // for its own region or naming region 1.
    const voter = setup.voters[2]!.publicKey;
    expect(rejection(ledger, revokeTx(id, setup.registrars[0]!, 0, [voter]), T_OPEN)).toBe(
      "ledger/wrong_region",
    );
    expect(rejection(ledger, revokeTx(id, setup.registrars[0]!, 1, [voter]), T_OPEN)).toBe(
      "ledger/wrong_registrar",
    );
    expect(rejection(ledger, revokeTx(id, setup.registrars[1]!, 1, [voter]), T_OPEN)).toBe(
      "accepted",
    );
  });

  it("the commission decides with k distinct members' signatures in member order", () => {
    const { setup, ctx } = nationalElection();
    const ledger = new MemoryLedger(ctx);
    const before = T_OPEN - 30_000;
    const cases: [string, [number, number][], string][] = [
      ["k - 1 signatures", [[1, 1]], "ledger/too_few_signatures"],
      [
        "a repeated signer",
        [
          [2, 2],
          [2, 2],
        ],
        "ledger/repeated_signer",
      ],
      [
        "unordered signatures",
        [
          [2, 2],
          [0, 0],
        ],
        "ledger/unordered_signatures",
      ],
      [
        "an unknown member",
        [
          [0, 0],
          [3, 1],
        ],
        "ledger/unknown_member",
      ],
      [
        "a member signing in another's name",
        [
          [0, 0],
          [1, 2],
        ],
        "ledger/bad_signature",
      ],
    ];
    for (const [what, signers, code] of cases) {
      expect(rejection(ledger, decision(setup, "approve", T_CLOSE, signers), before), what).toBe(
        code,
      );
    }
    // An approval names the manifest's closesAt: no other schedule can be approved.
    const both: [number, number][] = [
      [0, 0],
      [1, 1],
    ];
    expect(rejection(ledger, decision(setup, "approve", T_CLOSE + 1, both), before)).toBe(
      "ledger/bad_schedule",
    );
    expect(rejection(ledger, decision(setup, "approve", T_CLOSE, both), before)).toBe("accepted");
  });

  it("an extension moves the close only later, and only before it", () => {
    const { setup, ledger } = approved();
    const both: [number, number][] = [
      [0, 0],
      [2, 2],
    ];
    expect(rejection(ledger, decision(setup, "extend", T_CLOSE - 1, both), T_OPEN)).toBe(
      "ledger/not_an_extension",
    );
    expect(rejection(ledger, decision(setup, "extend", T_CLOSE, both), T_OPEN)).toBe(
      "ledger/not_an_extension",
    );
    expect(rejection(ledger, decision(setup, "extend", T_CLOSE + 1, both), T_CLOSE)).toBe(
      "ledger/polls_closed",
    );
    expect(rejection(ledger, decision(setup, "extend", T_CLOSE + 1, both), T_CLOSE - 1)).toBe(
      "accepted",
    );
  });

  it("a ballot counts only inside the window, in its district, with its district's style", () => {
    const { setup, ctx, ledger } = approved();
    const voter = setup.voters[1]!; // district 1: contests 0, 1 and 2
    const own = ballotTx(ctx, voter, 1, choicesFor(ctx, 1, 0), 1);
    expect(rejection(ledger, own, T_OPEN - 1)).toBe("ledger/outside_window");
    expect(rejection(ledger, own, T_CLOSE)).toBe("ledger/outside_window");
    expect(rejection(ledger, own, T_CLOSE + 60_000)).toBe("ledger/outside_window");
    expect(rejection(ledger, own, T_OPEN)).toBe("accepted");
    expect(rejection(ledger, own, T_CLOSE - 1)).toBe("accepted");
    // District 0 shares contests 0 and 1 but not the district contest 2: another district.
    expect(rejection(ledger, ballotTx(ctx, voter, 0, choicesFor(ctx, 0, 0), 1), T_OPEN)).toBe(
      "ledger/wrong_district",
    );
    // Its own district, but district 0's ballot (without contest 2), signed by the voter.
    const { sig: _sig, ...unsigned } = decodeTransaction(
      ballotTx(ctx, voter, 0, choicesFor(ctx, 0, 0), 1),
    ) as BallotTx;
    const restyled = encodeTransaction(
      signTransaction<BallotTx>({ ...unsigned, district: 1 }, voter.seed),
    );
    expect(rejection(ledger, restyled, T_OPEN)).toBe("ledger/wrong_style");
  });

  it("a revoked credential votes no more, and its counted ballot leaves the tally", () => {
    const { setup, ctx, ledger, id } = approved();
    const voter = setup.voters[4]!; // district 4, region 2
    const empty = ledger.tip.state.districts[4]!.tally;
    commit(ledger, [ballotTx(ctx, voter, 4, choicesFor(ctx, 4, 1), 1)], T_OPEN);
    expect(ledger.tip.state.districts[4]!.tally.ballotCount).toBe(1);
    commit(ledger, [revokeTx(id, setup.registrars[2]!, 2, [voter.publicKey])], T_OPEN + 1);
    const after = ledger.tip.state.districts[4]!;
    expect(after.tally.ballotCount).toBe(0);
    expect(toHex(encodeTally(after.tally))).toBe(toHex(encodeTally(empty)));
    expect(after.revoked).toBe(1);
    expect(rejection(ledger, ballotTx(ctx, voter, 4, choicesFor(ctx, 4, 0), 2), T_OPEN + 2)).toBe(
      "ledger/revoked_credential",
    );
    expect(
      rejection(ledger, revokeTx(id, setup.registrars[2]!, 2, [voter.publicKey]), T_OPEN + 2),
    ).toBe("ledger/already_revoked");
  });

  it("a trustee gives one decryption share per district", () => {
    const { setup, ctx, ledger } = approved();
    commit(
      ledger,
      [0, 3].map((i) =>
        ballotTx(
          ctx,
          setup.voters[i]!,
          setup.voterDistricts[i]!,
          choicesFor(ctx, setup.voterDistricts[i]!, i),
          1,
        ),
      ),
      T_OPEN,
    );
    const d0 = ledger.tip.state.districts[0]!.tally;
    const d3 = ledger.tip.state.districts[3]!.tally;
    commit(ledger, [decryptionTx(ctx, setup.trustees[0]!, 0, d0)], T_CLOSE);
    // The same trustee again for district 0, even with a fresh share: refused.
    expect(rejection(ledger, decryptionTx(ctx, setup.trustees[0]!, 0, d0), T_CLOSE + 1)).toBe(
      "ledger/duplicate_share",
    );
    // Its share of another district is its own to give; a share must match the district.
    expect(rejection(ledger, decryptionTx(ctx, setup.trustees[0]!, 3, d3), T_CLOSE + 1)).toBe(
      "accepted",
    );
    expect(rejection(ledger, decryptionTx(ctx, setup.trustees[1]!, 3, d0), T_CLOSE + 1)).toMatch(
      /^election\//,
    );
    // A district with no ballot was decided at the close: nothing to decrypt.
    expect(
      rejection(
        ledger,
        decryptionTx(ctx, setup.trustees[1]!, 5, ledger.tip.state.districts[5]!.tally),
        T_CLOSE + 1,
      ),
    ).toBe("ledger/already_tallied");
  });
});
