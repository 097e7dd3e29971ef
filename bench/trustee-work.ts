/**
 * What the trustees' work costs for a national election (bench/national-election.ts: 20
 * regions, 200 districts, 19 options per ballot style), in one process on one core:
 *
 *   - one trustee's decryption transactions for every district: a partial decryption with
 *     a Chaum-Pedersen proof per option, signed and encoded (src/ledger/tx-builders.ts);
 *   - a validator's (or a replaying auditor's) work for them, as applyDecryption does it
 *     (src/ledger/apply-votes.ts): each share is verified when it is applied, and the t-th
 *     share of a district triggers combineVerifiedShares (Lagrange interpolation of the t
 *     verified shares, then the bounded discrete logs; bound: the district's ballot count);
 *   - the discrete logs alone, to show how the bound drives the cost.
 *
 * The tallies are made directly as ElGamal encryptions of counts that add up to the ballot
 * count (A = r*G, B = n*G + r*K): a sum of real ballots has that form, and what the trustees
 * and the validators do with a tally does not depend on how it was summed.
 *
 *   npx node bench/trustee-work.ts [--ballots 1000,10000,60000] [--districts-per-region 10]
 *                                  [--trustees 5] [--threshold 3]
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { table } from "../src/cli/output.ts";
import { utf8 } from "../src/crypto/bytes.ts";
import { sha256 } from "../src/crypto/hash.ts";
import { combineVerifiedShares, verifyDecryptionShare } from "../src/election/decryption.ts";
import { boundedDiscreteLogs } from "../src/election/dlog.ts";
import { mulSecret, smallMultipleOfG } from "../src/election/group.ts";
import { randomScalar, seededRng } from "../src/election/rng.ts";
import type { EncryptedTally } from "../src/election/tally.ts";
import { type DecryptionTx, decodeTransaction } from "../src/ledger/transactions.ts";
import { decryptionTx } from "../src/ledger/tx-builders.ts";
import { nationalSetup } from "./national-election.ts";

const { values } = parseArgs({
  options: {
    ballots: { type: "string", default: "1000,10000,60000" },
    "districts-per-region": { type: "string", default: "10" },
    trustees: { type: "string", default: "5" },
    threshold: { type: "string", default: "3" },
  },
});
const BALLOTS = values.ballots.split(",").map(Number);
const PER_REGION = Number(values["districts-per-region"]);
const TRUSTEES = Number(values.trustees);
const THRESHOLD = Number(values.threshold);

const { setup, ctx } = nationalSetup({
  validators: 4,
  voters: 0,
  trustees: TRUSTEES,
  threshold: THRESHOLD,
  districtsPerRegion: PER_REGION,
});
const districts = ctx.geography.districts.length;
const rng = seededRng(sha256(utf8("trustee-work")));

/** A district tally with `ballots` ballots, each choosing one option per contest. */
function tallyOf(district: number, ballots: number): { tally: EncryptedTally; counts: number[][] } {
  const crypto = ctx.districtCrypto[district]!;
  const counts = crypto.shapes.map((s) => {
    // Split the ballots over the options at random (every ballot picks exactly one).
    const row = new Array<number>(s.options).fill(0);
    let left = ballots;
    for (let j = 0; j < s.options - 1; j++) {
      const share = Math.floor((left * (rng(1)[0]! % 64)) / 128);
      row[j] = share;
      left -= share;
    }
    row[s.options - 1] = left;
    return row;
  });
  const contests = counts.map((row) =>
    row.map((n) => {
      const r = randomScalar(rng);
      return {
        alpha: mulSecret(crypto.bases.G, r),
        beta: smallMultipleOfG(n).add(mulSecret(crypto.bases.K, r)),
      };
    }),
  );
  return { tally: { ballotCount: ballots, contests }, counts };
}

/**
 * CPU time of f on this thread (user + system), not wall time: the machine is shared, and
 * the work is single-threaded, so CPU time is what it costs whatever else runs.
 */
function time<T>(f: () => T): { value: T; ms: number } {
  const before = process.threadCpuUsage();
  const value = f();
  const used = process.threadCpuUsage(before);
  return { value, ms: (used.user + used.system) / 1000 };
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const chosen = setup.trustees.slice(0, THRESHOLD);
// Decrypting and verifying do not depend on the counts, only the discrete logs do: one set
// of tallies at the largest bound serves the trustees' and the share checks' figures.
const largest = Math.max(...BALLOTS);
say(`${districts} districts, ${largest} ballots each: making the tallies (not timed)...`);
const tallies = Array.from({ length: districts }, (_, d) => tallyOf(d, largest));
// Warm the fixed-base tables, as a long-running process has them.
verifyDecryptionShare(
  ctx.districtCrypto[0]!,
  tallies[0]!.tally,
  (decodeTransaction(decryptionTx(ctx, chosen[0]!, 0, tallies[0]!.tally, rng)) as DecryptionTx)
    .share,
);

// Each of the t trustees makes its transactions for every district.
let txBytes = 0;
const trusteeMs: number[] = [];
const shares = chosen.map((trustee, k) => {
  const made = time(() => tallies.map((x, d) => decryptionTx(ctx, trustee, d, x.tally, rng)));
  trusteeMs.push(made.ms);
  if (k === 0) txBytes = made.value.reduce((a, tx) => a + tx.length, 0);
  say(`  trustee ${trustee.index}: ${(made.ms / 1000).toFixed(1)} s of CPU`);
  return made.value.map((tx) => (decodeTransaction(tx) as DecryptionTx).share);
});

// A validator: verify each of the t shares as it is applied, then combine at the t-th.
const verify = time(() => {
  for (let d = 0; d < districts; d++) {
    for (const s of shares) verifyDecryptionShare(ctx.districtCrypto[d]!, tallies[d]!.tally, s[d]!);
  }
});
say(`  verifying ${THRESHOLD} shares of every district: ${(verify.ms / 1000).toFixed(1)} s of CPU`);
const combine = time(() =>
  tallies.map((x, d) =>
    combineVerifiedShares(
      ctx.districtCrypto[d]!,
      x.tally,
      shares.map((s) => s[d]!),
      x.tally.ballotCount,
    ),
  ),
);
combine.value.forEach((result, d) => {
  if (JSON.stringify(result) !== JSON.stringify(tallies[d]!.counts)) {
    throw new Error(`district ${d} decrypted to the wrong counts`);
  }
});
say(`  combining (at bound ${largest}): ${(combine.ms / 1000).toFixed(1)} s of CPU`);

// The discrete logs alone for each bound: counts that add up to that many ballots.
const dlogMs = new Map<number, number>();
for (const ballots of [...BALLOTS].sort((a, b) => a - b)) {
  const targets = Array.from({ length: districts }, (_, d) =>
    tallies[d]!.counts.flatMap((row) => {
      const scaled = row.map((n) => Math.floor((n * ballots) / largest));
      return scaled.map((n) => smallMultipleOfG(n));
    }),
  );
  boundedDiscreteLogs([smallMultipleOfG(ballots)], ballots); // this bound's table, once
  const dlog = time(() => {
    for (const t of targets) boundedDiscreteLogs(t, ballots);
  });
  dlogMs.set(ballots, dlog.ms);
  say(`  discrete logs at bound ${ballots}: ${(dlog.ms / 1000).toFixed(2)} s of CPU`);
}
// combineVerifiedShares = Lagrange interpolation + the discrete logs.
const combineRest = combine.ms - dlogMs.get(largest)!;

const options = tallies.reduce((a, x) => a + x.counts.flat().length, 0);
const s = (ms: number) => (ms / 1000).toFixed(2);
console.log(
  `\nNode ${process.version}, ${availableParallelism()} cores; ${districts} districts in ${setup.manifest.regions.length} regions, ${options} tally ciphertexts in all; ${THRESHOLD} of ${TRUSTEES} trustees; CPU time of one thread\n`,
);
console.log(
  table([
    ["work for all districts", "CPU s", "per district ms"],
    [
      "one trustee: partial decryptions with proofs, signed",
      s(trusteeMs[0]!),
      (trusteeMs[0]! / districts).toFixed(1),
    ],
    ...trusteeMs
      .slice(1)
      .map((ms, k) => [`  the same, trustee ${k + 2}`, s(ms), (ms / districts).toFixed(1)]),
    [
      `validator: verify ${THRESHOLD} shares as applied`,
      s(verify.ms),
      (verify.ms / districts).toFixed(1),
    ],
    [
      "validator: combine, without discrete logs",
      s(combineRest),
      (combineRest / districts).toFixed(1),
    ],
  ]),
);
console.log(
  `\nOne trustee's decryption transactions: ${Math.round(txBytes / districts)} bytes per district, ${(txBytes / 1024).toFixed(0)} KiB in all.\n`,
);
console.log(
  table([
    [
      "ballots per district (bound)",
      "discrete logs, all districts CPU s",
      "validator total CPU s",
      "trustee + validator CPU s",
    ],
    ...BALLOTS.map((b) => {
      const validator = verify.ms + combineRest + dlogMs.get(b)!;
      return [b, s(dlogMs.get(b)!), s(validator), s(trusteeMs[0]! + validator)];
    }),
  ]),
);
