/**
 * A record with any transaction the ledger refuses does not audit: a dishonest quorum may
 * certify a block holding it (every header field but the state right), and the replay still
 * stops at that block with the rule's own code. One case per rule that keeps a party from
 * acting alone or out of turn: the registrars' regions, the commission's k signatures, the
 * schedule, the districts' ballot styles, revocation and the trustees' one share each.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ChainTip } from "../../../src/ledger/chain.ts";
import {
  type BallotTx,
  type CommissionTx,
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
import {
  auditWithBlock,
  type BuiltElection,
  buildElection,
  RECORD_EXTENDED_CLOSE,
  RECORD_SCHEDULE,
  replayTips,
  T0,
} from "./record.ts";

let built: BuiltElection;
/** The replayed tip at each height of the record. */
let tips: ChainTip[];

beforeAll(() => {
  built = buildElection({ seed: "refused" });
  tips = replayTips(built);
}, 60_000);

/** The record up to height h, then a certified block at `time` holding `tx` (state unchanged). */
const auditWith = (h: number, tx: Uint8Array, time: number) =>
  auditWithBlock(built, tips, h, [tx], time);

/** A commission decision with exactly these signatures, in this order. */
function decision(
  action: CommissionTx["action"],
  closesAt: number,
  signers: readonly { member: number; key: number }[],
): Uint8Array {
  const unsigned = commissionDecision(built.setup.electionId, action, closesAt);
  return encodeTransaction({
    ...unsigned,
    signatures: signers.map((s) =>
      signCommission(unsigned, s.member, built.setup.commission[s.key]!.seed),
    ),
  });
}

/** Voter i's ballot, naming district d, carrying district `style`'s contests. */
function ballot(i: number, seq: number, d?: number, style?: number): Uint8Array {
  const { ctx, setup } = built;
  const own = setup.voterDistricts[i]!;
  const body = style ?? d ?? own;
  const rows = ctx.districtCrypto[body]!.shapes.map((s) =>
    Array.from({ length: s.options }, (_, j) => (j === 0 ? 1 : 0)),
  );
  const tx = ballotTx(ctx, setup.voters[i]!, body, rows, seq);
  if ((d ?? own) === body) return tx;
  const { sig: _sig, ...unsigned } = decodeTransaction(tx) as BallotTx;
  return encodeTransaction(
    signTransaction<BallotTx>({ ...unsigned, district: d ?? own }, setup.voters[i]!.seed),
  );
}

describe("the auditor refuses a certified block holding a refused transaction", () => {
  it("a registrar registering in another region's district", async () => {
    const { setup, heights } = built;
    // Region R1's registrar, district D3 (region R2).
    const tx = registerTx(setup.electionId, setup.registrars[0]!, 2, [
      new Uint8Array(32).fill(0x5a),
    ]);
    expect(await auditWith(heights.register, tx, T0 + 1200)).toBe(
      `ledger/wrong_registrar@${heights.register + 1}`,
    );
  });

  it("a registrar revoking another region's credential", async () => {
    const { setup, heights } = built;
    // Voter 2 is registered in D3 (region R2); R1's registrar names its own region.
    const tx = revokeTx(setup.electionId, setup.registrars[0]!, 0, [setup.voters[2]!.publicKey]);
    expect(await auditWith(heights.firstBallots, tx, T0 + 2500)).toBe(
      `ledger/wrong_region@${heights.firstBallots + 1}`,
    );
  });

  it("a commission decision with k - 1 signatures, a repeated signer, unordered signatures or an unknown member", async () => {
    const h = built.heights.firstBallots;
    const later = RECORD_SCHEDULE.closesAt + 60_000;
    const cases: [string, Uint8Array, string][] = [
      ["k - 1", decision("extend", later, [{ member: 1, key: 1 }]), "ledger/too_few_signatures"],
      [
        "one member twice",
        decision("extend", later, [
          { member: 0, key: 0 },
          { member: 0, key: 0 },
        ]),
        "ledger/repeated_signer",
      ],
      [
        "unordered",
        decision("extend", later, [
          { member: 2, key: 2 },
          { member: 0, key: 0 },
        ]),
        "ledger/unordered_signatures",
      ],
      [
        "unknown member",
        decision("extend", later, [
          { member: 0, key: 0 },
          { member: 3, key: 1 },
        ]),
        "ledger/unknown_member",
      ],
      [
        "a member signing as another",
        decision("extend", later, [
          { member: 0, key: 0 },
          { member: 1, key: 2 },
        ]),
        "ledger/bad_signature",
      ],
    ];
    for (const [what, tx, code] of cases) {
      expect(await auditWith(h, tx, T0 + 2500), what).toBe(`${code}@${h + 1}`);
    }
  });

  it("an approval of another closesAt, and a second approval", async () => {
    const { setup, heights } = built;
    const pair = [
      { member: 0, key: setup.commission[0]! },
      { member: 1, key: setup.commission[1]! },
    ];
    const other = commissionTx(
      commissionDecision(setup.electionId, "approve", RECORD_SCHEDULE.closesAt + 1),
      pair,
    );
    expect(await auditWith(0, other, T0)).toBe("ledger/bad_schedule@1");
    const again = commissionTx(
      commissionDecision(setup.electionId, "approve", RECORD_SCHEDULE.closesAt),
      pair,
    );
    expect(await auditWith(heights.approve, again, T0 + 500)).toBe(
      `ledger/already_approved@${heights.approve + 1}`,
    );
  });

  it("an extension that shortens the polls, and one after the close", async () => {
    const { heights } = built;
    const both = [
      { member: 0, key: 0 },
      { member: 1, key: 1 },
    ];
    const shorter = decision("extend", RECORD_SCHEDULE.closesAt - 1, both);
    expect(await auditWith(heights.firstBallots, shorter, T0 + 2500)).toBe(
      `ledger/not_an_extension@${heights.firstBallots + 1}`,
    );
    const late = decision("extend", RECORD_EXTENDED_CLOSE + 60_000, both);
    expect(await auditWith(heights.close, late, RECORD_EXTENDED_CLOSE + 500)).toBe(
      `ledger/polls_closed@${heights.close + 1}`,
    );
  });

  it("a ballot before the polls open and at their close", async () => {
    const { heights } = built;
    expect(await auditWith(heights.register, ballot(1, 1), RECORD_SCHEDULE.opensAt - 1)).toBe(
      `ledger/outside_window@${heights.register + 1}`,
    );
    expect(await auditWith(heights.revote, ballot(1, 5), RECORD_EXTENDED_CLOSE)).toBe(
      `ledger/outside_window@${heights.revote + 1}`,
    );
  });

  it("a ballot naming another district, or carrying another district's style", async () => {
    const { heights } = built;
    // Voter 0 is registered in D1; D2 has the same style, so only the district is wrong.
    expect(await auditWith(heights.firstBallots, ballot(0, 5, 1), T0 + 2500)).toBe(
      `ledger/wrong_district@${heights.firstBallots + 1}`,
    );
    // Voter 2 (D3, the mayor only) names D3 but carries D1's two contests.
    expect(await auditWith(heights.firstBallots, ballot(2, 5, 2, 0), T0 + 2500)).toBe(
      `ledger/wrong_style@${heights.firstBallots + 1}`,
    );
  });

  it("a ballot of a revoked credential", async () => {
    const { heights, revoked } = built;
    expect(await auditWith(heights.revote, ballot(revoked[0]!, 5), T0 + 6500)).toBe(
      `ledger/revoked_credential@${heights.revote + 1}`,
    );
  });

  it("a second decryption share of a district from the same trustee", async () => {
    const { ctx, setup, heights } = built;
    // At heights.close trustee 2 has decrypted every district once.
    const tally = tips[heights.close]!.state.districts[0]!.tally;
    const tx = decryptionTx(ctx, setup.trustees[1]!, 0, tally);
    expect(await auditWith(heights.close, tx, RECORD_EXTENDED_CLOSE + 500)).toBe(
      `ledger/duplicate_share@${heights.close + 1}`,
    );
  });
});
