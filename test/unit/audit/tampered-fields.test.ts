/**
 * Every field manifest v2 added, in the manifest, in the transactions and in the state,
 * changed after the fact is caught. A manifest with any field changed is another election
 * (another id), so the record's certificates and signatures do not verify under it; a
 * transaction with any field changed and not re-signed is refused; a state with any field
 * changed no longer hashes to the stateHash the replay computes, and a district's result
 * that is not what its shares decrypt to is refused by the auditor's own recount.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AuditFailure } from "../../../src/audit/errors.ts";
import { checkResults } from "../../../src/audit/results-check.ts";
import { decodeWith, encodeWith } from "../../../src/codec/schema.ts";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../../src/crypto/ed25519.ts";
import { sha256, TAG, taggedHash } from "../../../src/crypto/hash.ts";
import { isSaylauError } from "../../../src/errors.ts";
import type { ChainTip } from "../../../src/ledger/chain.ts";
import { ledgerContext } from "../../../src/ledger/context.ts";
import { electionIdOf, type Manifest, manifestCodec } from "../../../src/ledger/manifest.ts";
import { MemoryLedger } from "../../../src/ledger/memory-ledger.ts";
import {
  decodeState,
  type ElectionState,
  type EncodedState,
  encodedStateCodec,
  encodeState,
} from "../../../src/ledger/state.ts";
import {
  type CommissionTx,
  decodeTransaction,
  encodeTransaction,
  type Transaction,
} from "../../../src/ledger/transactions.ts";
import { approvalTx } from "../../support/election-fixture.ts";
import {
  auditVerdict,
  auditWithBlock,
  type BuiltElection,
  buildElection,
  replayTips,
} from "./record.ts";

let built: BuiltElection;
let tips: ChainTip[];

beforeAll(() => {
  built = buildElection({ seed: "tampered fields" });
  tips = replayTips(built);
}, 60_000);

const flip = (bytes: Uint8Array, at = 0): Uint8Array => {
  const out = Uint8Array.from(bytes);
  out[at]! ^= 1;
  return out;
};
const freshKey = keyPairFromSeed(sha256(utf8("tampered-fields/fresh"))).publicKey;

/** Each manifest field changed in one way: what, and the change. */
const MANIFEST_CHANGES: [string, (m: Manifest) => void][] = [
  ["version", (m) => (m.version = 1)],
  ["name", (m) => (m.name = `${m.name}!`)],
  ["createdAt", (m) => (m.createdAt += 1)],
  ["commission threshold lowered", (m) => (m.commission.threshold -= 1)],
  ["commission threshold raised", (m) => (m.commission.threshold += 1)],
  ["commission threshold above the members", (m) => (m.commission.threshold = 4)],
  ["commission member name", (m) => (m.commission.members[1]!.name = "someone else")],
  ["commission member key", (m) => (m.commission.members[1]!.publicKey = freshKey)],
  ["commission member added", (m) => m.commission.members.push({ name: "x", publicKey: freshKey })],
  ["commission member dropped", (m) => m.commission.members.pop()],
  ["schedule opensAt", (m) => (m.schedule.opensAt -= 1)],
  ["schedule closesAt", (m) => (m.schedule.closesAt += 1)],
  ["schedule closing before opening", (m) => (m.schedule.closesAt = m.schedule.opensAt)],
  ["schedule timeZone", (m) => (m.schedule.timeZone = "Europe/London")],
  ["validator key", (m) => (m.validators[3]!.publicKey = freshKey)],
  ["region id", (m) => (m.regions[1]!.id = "R9")],
  ["region name", (m) => (m.regions[1]!.name = "Region nine")],
  ["registrar key", (m) => (m.regions[1]!.registrar = freshKey)],
  ["registrar key of another role", (m) => (m.regions[1]!.registrar = m.trusteeKeys[0]!)],
  [
    "registrars swapped",
    (m) => {
      const r0 = m.regions[0]!.registrar;
      m.regions[0]!.registrar = m.regions[1]!.registrar;
      m.regions[1]!.registrar = r0;
    },
  ],
  ["district id", (m) => (m.regions[0]!.districts[1]!.id = "D9")],
  ["district name", (m) => (m.regions[0]!.districts[1]!.name = "District nine")],
  ["district id used twice", (m) => (m.regions[0]!.districts[1]!.id = "D1")],
  [
    "district moved to another region",
    (m) => {
      m.regions[1]!.districts.unshift(m.regions[0]!.districts.pop()!);
    },
  ],
  ["district added", (m) => m.regions[1]!.districts.push({ id: "D4", name: "District 4" })],
  ["scope level", (m) => (m.scopes[1]!.level = "national")],
  ["scope index", (m) => (m.scopes[1]!.index = 1)],
  ["scope out of range", (m) => (m.scopes[1]!.index = 2)],
  ["scope dropped", (m) => m.scopes.pop()],
  ["trustee key", (m) => (m.trusteeKeys[2] = freshKey)],
  ["ceremony hash", (m) => (m.ceremony = flip(m.ceremony))],
  ["election description", (m) => (m.election.contests[0]!.label = "Governor")],
];

describe("a manifest with any field changed", () => {
  it("is another election, or no valid manifest at all, and the record does not audit under it", async () => {
    const { setup } = built;
    for (const [what, change] of MANIFEST_CHANGES) {
      const m = structuredClone(setup.manifest);
      change(m);
      const bytes = encodeWith(manifestCodec, m);
      expect(toHex(electionIdOf(bytes)), what).not.toBe(toHex(setup.electionId));
      let ctx: ReturnType<typeof ledgerContext> | null = null;
      try {
        ctx = ledgerContext(bytes);
      } catch (err) {
        expect(isSaylauError(err) && err.code, what).toMatch(/^(manifest|election|codec)\//);
      }
      const verdict = await auditVerdict(built, built.entries.slice(0, 2), bytes);
      if (ctx === null) {
        expect(verdict, what).toBe("audit/bad_manifest@0");
        continue;
      }
      // Valid, but another election: the validators certified blocks of this one.
      expect(verdict, what).toBe("audit/bad_certificate@1");
      // Nor does the commission's approval of the real manifest approve this one.
      const ledger = new MemoryLedger(ctx);
      const next = ledger.propose([approvalTx(setup)], setup.manifest.schedule.opensAt - 1);
      expect(next.rejected[0]?.error.code, what).toBe("ledger/wrong_election");
    }
  });
});

/** The first transaction of `type` in the record at or after height `from`. */
function recorded<T extends Transaction["type"]>(
  type: T,
  from = 1,
): { height: number; tx: Extract<Transaction, { type: T }> } {
  for (let h = from; h < built.ledger.blocks.length; h++) {
    for (const bytes of built.ledger.blocks[h]!.txs) {
      const tx = decodeTransaction(bytes);
      if (tx.type === type) return { height: h, tx: tx as Extract<Transaction, { type: T }> };
    }
  }
  throw new Error(`no ${type} transaction in the record`);
}

describe("a transaction with a new field changed and not re-signed", () => {
  /** The change, re-encoded, in a certified block in place of the original at its height. */
  async function verdictOf<T extends Transaction["type"]>(
    type: T,
    change: (tx: Extract<Transaction, { type: T }>) => Transaction,
    from = 1,
  ): Promise<string> {
    const { height, tx } = recorded(type, from);
    const changed = encodeTransaction(change(structuredClone(tx)));
    const time = built.ledger.blocks[height]!.header.time;
    return auditWithBlock(built, tips, height - 1, [changed], time);
  }

  it("register: the district (in the same region or another), a credential", async () => {
    const h = built.heights.register;
    expect(await verdictOf("register", (t) => ({ ...t, district: t.district === 0 ? 1 : 0 }))).toBe(
      `ledger/bad_signature@${h}`,
    );
    expect(await verdictOf("register", (t) => ({ ...t, district: 2 }))).toBe(
      `ledger/bad_signature@${h}`,
    );
    expect(
      await verdictOf("register", (t) => ({ ...t, credentials: [flip(t.credentials[0]!, 3)] })),
    ).toBe(`ledger/bad_signature@${h}`);
  });

  it("revoke: the region, a credential", async () => {
    const h = built.heights.revote;
    expect(await verdictOf("revoke", (t) => ({ ...t, region: t.region === 0 ? 1 : 0 }))).toBe(
      `ledger/bad_signature@${h}`,
    );
    expect(
      await verdictOf("revoke", (t) => ({ ...t, credentials: [built.setup.voters[1]!.publicKey] })),
    ).toBe(`ledger/bad_signature@${h}`);
  });

  it("commission: the action, closesAt, a signature's member, a signature, a signature dropped", async () => {
    const approve = (change: (t: CommissionTx) => CommissionTx) => verdictOf("commission", change);
    const extend = (change: (t: CommissionTx) => CommissionTx) =>
      verdictOf("commission", change, built.heights.extend);
    expect(await approve((t) => ({ ...t, action: "extend" }))).toBe("ledger/bad_signature@1");
    expect(await approve((t) => ({ ...t, closesAt: t.closesAt + 1 }))).toBe(
      "ledger/bad_signature@1",
    );
    // Members 0 and 1 signed; the second signature is claimed for member 2.
    expect(
      await approve((t) => ({
        ...t,
        signatures: [t.signatures[0]!, { ...t.signatures[1]!, member: 2 }],
      })),
    ).toBe("ledger/bad_signature@1");
    expect(
      await approve((t) => ({
        ...t,
        signatures: [t.signatures[0]!, { ...t.signatures[1]!, sig: flip(t.signatures[1]!.sig) }],
      })),
    ).toBe("ledger/bad_signature@1");
    expect(await approve((t) => ({ ...t, signatures: [t.signatures[0]!] }))).toBe(
      "ledger/too_few_signatures@1",
    );
    const h = built.heights.extend;
    expect(await extend((t) => ({ ...t, action: "approve" }))).toBe(`ledger/bad_signature@${h}`);
    expect(await extend((t) => ({ ...t, closesAt: t.closesAt + 60_000 }))).toBe(
      `ledger/bad_signature@${h}`,
    );
  });

  it("ballot: the district", async () => {
    expect(await verdictOf("ballot", (t) => ({ ...t, district: t.district === 0 ? 1 : 0 }))).toBe(
      `ledger/bad_signature@${built.heights.firstBallots}`,
    );
  });

  it("decryption: the district, the trustee", async () => {
    const h = built.heights.close;
    expect(
      await verdictOf("decryption", (t) => ({ ...t, district: t.district === 0 ? 1 : 0 })),
    ).toBe(`ledger/bad_signature@${h}`);
    expect(
      await verdictOf("decryption", (t) => ({ ...t, share: { ...t.share, trustee: 3 } })),
    ).toBe(`ledger/bad_signature@${h}`);
  });
});

/** Each state field changed in one way, on the canonical encoded state. */
const STATE_CHANGES: [string, (s: EncodedState) => void][] = [
  ["phase", (s) => (s.phase = s.phase === "open" ? "closed" : "open")],
  ["closesAt", (s) => (s.closesAt += 1)],
  ["credentials", (s) => (s.credentials += 1)],
  ["revoked", (s) => (s.revoked = s.revoked === 0 ? 1 : 0)],
  ["ballots", (s) => (s.ballots += 1)],
  ["voters", (s) => (s.voters -= 1)],
  ["credentialsLattice", (s) => (s.credentialsLattice = flip(s.credentialsLattice, 100))],
  ["districts[*].credentials", (s) => (s.districts[1]!.credentials += 1)],
  ["districts[*].revoked", (s) => (s.districts[2]!.revoked += 1)],
  [
    "districts[*].tally",
    (s) => {
      const [a, b] = [s.districts[0]!.tally, s.districts[1]!.tally];
      s.districts[0]!.tally = b;
      s.districts[1]!.tally = a;
    },
  ],
  ["districts[*].decryptions", (s) => s.districts[0]!.decryptions.pop()],
  ["districts[*].result", (s) => (s.districts[2]!.result![0]![0]! += 1)],
  ["a district dropped", (s) => s.districts.pop()],
];

describe("a state with any field changed", () => {
  it("no longer hashes to the certified stateHash: the replay refuses the block", async () => {
    // The block with the revocation and the revote, and the last decryption block (results).
    for (const h of [built.heights.revote, built.heights.lastDecryption]) {
      const block = built.ledger.blocks[h]!;
      const encoded = decodeWith(encodedStateCodec, encodeState(tips[h]!.state), 1 << 26);
      for (const [what, change] of STATE_CHANGES) {
        if (what === "districts[*].result" && h !== built.heights.lastDecryption) continue;
        if (what === "districts[*].decryptions" && h !== built.heights.lastDecryption) continue;
        const s = structuredClone(encoded);
        change(s);
        const stateHash = taggedHash(TAG.state, encodeWith(encodedStateCodec, s));
        expect(toHex(stateHash), what).not.toBe(toHex(block.header.stateHash));
        const verdict = await auditWithBlock(
          built,
          tips,
          h - 1,
          [...block.txs],
          block.header.time,
          stateHash,
        );
        expect(verdict, `${what} at ${h}`).toBe(`ledger/bad_state_hash@${h}`);
      }
    }
  });

  it("a state snapshot with another number of districts does not decode", () => {
    const s = decodeWith(encodedStateCodec, encodeState(built.ledger.tip.state), 1 << 26);
    s.districts.pop();
    let code = "decoded";
    try {
      decodeState(built.ctx, encodeWith(encodedStateCodec, s));
    } catch (err) {
      code = isSaylauError(err) ? err.code : String(err);
    }
    expect(code).toBe("ledger/bad_state");
  });
});

describe("the auditor's recount of each district's result", () => {
  const failure = (state: ElectionState): string => {
    try {
      checkResults(built.ctx, state, 99);
      return "clean";
    } catch (err) {
      if (!(err instanceof AuditFailure)) throw err;
      return `${err.code}@${err.height} district ${String(err.details.district)}`;
    }
  };
  const withDistrict = (d: number, change: Partial<ElectionState["districts"][number]>) => {
    const state = built.ledger.tip.state;
    const districts = state.districts.slice();
    districts[d] = { ...districts[d]!, ...change };
    return { ...state, districts };
  };

  it("accepts the replayed results", () => {
    expect(failure(built.ledger.tip.state)).toBe("clean");
  });

  it("refuses a district's result that is not what its shares decrypt to", () => {
    for (const d of [0, 1, 2]) {
      const result = structuredClone(built.ledger.tip.state.districts[d]!.result!) as number[][];
      result[0]![0]! += 1;
      result[0]![1]! -= 1;
      expect(failure(withDistrict(d, { result }))).toBe(`audit/result_mismatch@99 district ${d}`);
    }
  });

  it("refuses a share that does not verify against the district's tally", () => {
    // District 1's shares held against district 0's tally.
    const decryptions = built.ledger.tip.state.districts[1]!.decryptions;
    expect(failure(withDistrict(0, { decryptions }))).toBe("audit/bad_share@99 district 0");
  });
});
