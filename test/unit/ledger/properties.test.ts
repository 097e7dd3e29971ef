/**
 * Properties of the per-district ledger, over random runs (fast-check, seeded): results per
 * region and in total are the sums of their districts; revoking a voter leaves each district's
 * tally exactly as if the voter had never voted; and the state's credentials lattice hash is
 * always the lattice hash of every credential record, recomputed from scratch.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { encodeTally } from "../../../src/ledger/ballot-crypto.ts";
import { credentialsLatticeHash } from "../../../src/ledger/credentials-digest.ts";
import { MemoryLedger } from "../../../src/ledger/memory-ledger.ts";
import { resultsOf } from "../../../src/ledger/results.ts";
import { encodeCredentialRecord, initialState } from "../../../src/ledger/state.ts";
import { txId } from "../../../src/ledger/transactions.ts";
import {
  ballotTx,
  commissionDecision,
  commissionTx,
  registerTx,
  revokeTx,
} from "../../../src/ledger/tx-builders.ts";
import { nationalElection, T_CLOSE, T_OPEN } from "../../support/national-fixture.ts";

const VOTERS = 8;
const { setup, ctx } = nationalElection(VOTERS, "ledger properties");
const id = setup.electionId;
const regionOf = (i: number) => ctx.geography.districts[setup.voterDistricts[i]!]!.region;

const approval = commissionTx(commissionDecision(id, "approve", T_CLOSE), [
  { member: 0, key: setup.commission[0]! },
  { member: 1, key: setup.commission[1]! },
]);
const registration = (i: number) =>
  registerTx(id, setup.registrars[regionOf(i)]!, setup.voterDistricts[i]!, [
    setup.voters[i]!.publicKey,
  ]);
const revocation = (i: number) =>
  revokeTx(id, setup.registrars[regionOf(i)]!, regionOf(i), [setup.voters[i]!.publicKey]);

/** ballots[i][s]: voter i's ballot with seq s + 1, made once (encryption is the slow part). */
let ballots: Uint8Array[][];
/** Their ids: applied as verified, since their proofs are not what these properties are about. */
let verified: Set<string>;
const SEQS = 3;

beforeAll(() => {
  const rng = seededRng(sha256(utf8("ledger properties/ballots")));
  ballots = setup.voters.map((v, i) => {
    const d = setup.voterDistricts[i]!;
    return Array.from({ length: SEQS }, (_, s) =>
      ballotTx(
        ctx,
        v,
        d,
        ctx.districtCrypto[d]!.shapes.map((shape) =>
          Array.from({ length: shape.options }, (_, j) => (j === (i + s) % shape.options ? 1 : 0)),
        ),
        s + 1,
        rng,
      ),
    );
  });
  verified = new Set(ballots.flat().map((b) => toHex(txId(b))));
}, 120_000);

/** A ledger where the commission approved and the given voters are registered. */
function registered(voters: readonly number[] = setup.voters.map((_, i) => i)) {
  const ledger = new MemoryLedger(ctx);
  let time = T_OPEN - 30_000;
  const step = (txs: Uint8Array[]) => {
    const next = ledger.propose(txs, time++, 0, { verified });
    expect(next.rejected.map((r) => r.error.code)).toEqual([]);
    ledger.commit(next.block, { verified });
  };
  step([approval]);
  if (voters.length > 0) step(voters.map(registration));
  return ledger;
}

describe("ledger properties", () => {
  it("results per region and in total are the sums of the districts in scope", () => {
    const districts = ctx.geography.districts;
    const result = (d: number) =>
      fc.option(
        fc.tuple(
          ...ctx.districtCrypto[d]!.shapes.map((s) =>
            fc.array(fc.nat({ max: 1000 }), { minLength: s.options, maxLength: s.options }),
          ),
        ),
        { freq: 4 },
      );
    fc.assert(
      fc.property(fc.tuple(...districts.map((d) => result(d.index))), (rows) => {
        const state = initialState(ctx);
        const withResults = {
          ...state,
          districts: state.districts.map((d, i) => ({ ...d, result: rows[i] ?? null })),
        };
        const view = resultsOf(ctx, withResults);
        view.contests.forEach((contest, c) => {
          const inScope = districts.filter((d) => d.style.includes(c));
          const counts = (d: (typeof districts)[number]) => rows[d.index]?.[d.style.indexOf(c)];
          const sum = (ds: typeof districts): number[] | null =>
            ds.some((d) => counts(d) === undefined)
              ? null
              : contest.options.map((_, j) => ds.reduce((a, d) => a + counts(d)![j]!, 0));
          expect(contest.districts.map((d) => d.counts)).toEqual(
            inScope.map((d) => counts(d) ?? null),
          );
          expect(contest.regions.map((r) => [r.id, r.counts])).toEqual(
            setup.manifest.regions.flatMap((r, ri) => {
              const own = inScope.filter((d) => d.region === ri);
              return own.length === 0 ? [] : [[r.id, sum(own)]];
            }),
          );
          expect(contest.total).toEqual(sum(inScope));
          // And the total is the sum of the regions, when every region is decrypted.
          if (contest.total !== null) {
            expect(contest.total).toEqual(
              contest.options.map((_, j) => contest.regions.reduce((a, r) => a + r.counts![j]!, 0)),
            );
          }
        });
        expect(view.complete).toBe(rows.every((r) => r !== null));
      }),
      { seed: 0x5a71, numRuns: 200 },
    );
  });

  it("after a revocation each district's tally is the tally without that voter's ballots", () => {
    const run = fc.record({
      /** Per voter: how many ballots they cast (0 to SEQS), the last one counting. */
      casts: fc.array(fc.nat({ max: SEQS }), { minLength: VOTERS, maxLength: VOTERS }),
      revoked: fc.nat({ max: VOTERS - 1 }),
    });
    fc.assert(
      fc.property(run, ({ casts, revoked }) => {
        const cast = (ledger: MemoryLedger, skip: number | null) => {
          for (let s = 0; s < SEQS; s++) {
            const txs = casts.flatMap((n, i) => (i !== skip && s < n ? [ballots[i]![s]!] : []));
            if (txs.length === 0) continue;
            const next = ledger.propose(txs, T_OPEN + s, 0, { verified });
            expect(next.rejected.map((r) => r.error.code)).toEqual([]);
            ledger.commit(next.block, { verified });
          }
        };
        const withVoter = registered();
        cast(withVoter, null);
        const next = withVoter.propose([revocation(revoked)], T_OPEN + SEQS, 0, { verified });
        expect(next.rejected).toEqual([]);
        withVoter.commit(next.block, { verified });
        const without = registered();
        cast(without, revoked);
        const tallies = (l: MemoryLedger) =>
          l.tip.state.districts.map((d) => toHex(encodeTally(d.tally)));
        expect(tallies(withVoter)).toEqual(tallies(without));
        expect(withVoter.tip.state.voters).toBe(without.tip.state.voters);
        expect(withVoter.tip.state.revoked).toBe(1);
      }),
      { seed: 0x7e40, numRuns: 12 },
    );
  });

  it("the state's lattice hash is the lattice hash of every credential record, recomputed", () => {
    const op = fc.record({
      kind: fc.constantFrom("register", "ballot", "ballot", "ballot", "revoke"),
      voter: fc.nat({ max: VOTERS - 1 }),
    });
    const appliedKinds = { register: 0, ballot: 0, revoke: 0 };
    fc.assert(
      // Most voters registered up front (so ballots and revocations have something to act
      // on), then random steps, registrations of the others among them.
      fc.property(
        fc.uniqueArray(fc.nat({ max: VOTERS - 1 })),
        fc.array(op, { maxLength: 24 }),
        (first, steps) => {
          const ops = [...first.map((voter) => ({ kind: "register" as const, voter })), ...steps];
          const ledger = registered([]);
          const seq = new Array<number>(VOTERS).fill(0);
          let time = T_OPEN;
          let applied = 0;
          for (const { kind, voter } of ops) {
            let tx: Uint8Array;
            if (kind === "register") tx = registration(voter);
            else if (kind === "revoke") tx = revocation(voter);
            else if (seq[voter]! < SEQS) tx = ballots[voter]![seq[voter]!]!;
            else continue;
            const next = ledger.propose([tx], time++, 0, { verified });
            // Refused steps (a second registration, a ballot of a revoked or unknown credential...)
            // leave the ledger as it was.
            if (next.rejected.length > 0) continue;
            ledger.commit(next.block, { verified });
            applied++;
            appliedKinds[kind] += 1;
            if (kind === "ballot") seq[voter]! += 1;
          }
          const records = setup.voters.flatMap((v) => {
            const record = ledger.credential(toHex(v.publicKey));
            return record === undefined
              ? []
              : [{ credential: v.publicKey, record: encodeCredentialRecord(record) }];
          });
          const state = ledger.tip.state;
          expect(toHex(state.credentialsLattice.digest())).toBe(
            toHex(credentialsLatticeHash(records).digest()),
          );
          expect(records.length).toBe(state.credentials);
          expect(applied).toBeLessThanOrEqual(ops.length);
        },
      ),
      { seed: 0x1a77, numRuns: 25 },
    );
    // The runs did register, vote (revote) and revoke, not only refuse.
    expect(appliedKinds).toMatchObject({
      register: expect.toSatisfy((n: number) => n > 50),
      ballot: expect.toSatisfy((n: number) => n > 40),
      revoke: expect.toSatisfy((n: number) => n > 10),
    });
  });
});
