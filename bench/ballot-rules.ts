/**
 * What the ledger rules of separated roles and a national election cost per ballot, next to
 * what verifying the ballot costs, measured in the same run on the same ballots.
 *
 *   npx node bench/ballot-rules.ts [ballots=200]
 *
 * A 3-region, 6-district election (test/support/national-fixture.ts's shape: a national
 * contest, a regional one, a two-seat district one). Rows:
 * - verify: the ballot's signature and proofs in this thread (verifyTransactions, one at a
 *   time), the work a validator does once per ballot;
 * - apply: applyTransactions of the already verified ballot on the state: the rules the
 *   manifest v2 added run here (approval and window by block time, the credential's
 *   district and revocation, the ballot style, the per-district tally, and the lattice hash
 *   update of the credential record), besides the tally addition;
 * - of which lattice: the lattice hash's remove-and-add of one credential record alone;
 * - stateHash: hashing the state once per block (6 districts here).
 */
import { toHex, utf8 } from "../src/crypto/bytes.ts";
import { sha256 } from "../src/crypto/hash.ts";
import { seededRng } from "../src/election/rng.ts";
import { applyTransactions, credentialsTouched } from "../src/ledger/apply.ts";
import { MemoryLedger } from "../src/ledger/memory-ledger.ts";
import { credentialElement, newCredentialRecord, stateHash } from "../src/ledger/state.ts";
import { txId } from "../src/ledger/transactions.ts";
import { ballotTx } from "../src/ledger/tx-builders.ts";
import { verifyTransactions } from "../src/verify/verify-transactions.ts";
import { approvalTx, registrationTxs } from "../test/support/election-fixture.ts";
import { nationalElection, T_OPEN } from "../test/support/national-fixture.ts";

const n = Number(process.argv[2] ?? 200);
const { setup, ctx } = nationalElection(n, "bench/ballot-rules");
const ledger = new MemoryLedger(ctx);
const commit = (txs: Uint8Array[], time: number) => {
  const next = ledger.propose(txs, time);
  if (next.rejected.length > 0) throw next.rejected[0]!.error;
  ledger.commit(next.block);
};
commit([approvalTx(setup)], T_OPEN - 10_000);
commit(registrationTxs(setup), T_OPEN - 5_000);
const rng = seededRng(sha256(utf8("bench/ballot-rules")));
const ballots = setup.voters.map((v, i) => {
  const d = setup.voterDistricts[i]!;
  const choices = ctx.districtCrypto[d]!.shapes.map((s) =>
    Array.from({ length: s.options }, (_, j) => (j === i % s.options ? 1 : 0)),
  );
  return ballotTx(ctx, v, d, choices, 1, rng);
});

const cpu = () => process.cpuUsage().user / 1000;
// Warm up both paths on a few ballots.
verifyTransactions(ctx, ballots.slice(0, 3));

let t = cpu();
for (const b of ballots) {
  const [verdict] = verifyTransactions(ctx, [b]);
  if (!verdict!.ok) throw new Error(verdict!.message);
}
const verifyMs = (cpu() - t) / n;

const verified = new Set(ballots.map((b) => toHex(txId(b))));
const lookup = new Map(
  credentialsTouched(ballots).map((k) => [toHex(k), ledger.credential(toHex(k)) ?? null]),
);
t = cpu();
let state = ledger.tip.state;
for (const b of ballots) {
  state = applyTransactions(ctx, state, [b], lookup, T_OPEN + 1000, { verified }).state;
}
const applyMs = (cpu() - t) / n;

const key = setup.voters[0]!.publicKey;
const before = credentialElement(key, newCredentialRecord(0));
const after = credentialElement(key, ledger.credential(toHex(key)) ?? newCredentialRecord(0));
let lattice = state.credentialsLattice;
t = cpu();
for (let i = 0; i < n; i++) lattice = lattice.replace(before, after);
const latticeMs = (cpu() - t) / n;

t = cpu();
for (let i = 0; i < 50; i++) stateHash({ ...state, height: i });
const stateHashMs = (cpu() - t) / 50;

const row = (what: string, ms: number) =>
  `| ${what.padEnd(36)} | ${ms.toFixed(3).padStart(9)} | ${((100 * ms) / verifyMs).toFixed(1).padStart(6)} % |`;
console.log(`| per ballot (CPU ms, ${n} ballots)    | ms        | of verify |`);
console.log("| ------------------------------------ | --------- | --------- |");
console.log(row("verify (signature and proofs)", verifyMs));
console.log(row("apply (all ledger rules, verified)", applyMs));
console.log(row("  of which lattice hash update", latticeMs));
console.log(row("stateHash, once per block", stateHashMs));
