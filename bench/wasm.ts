/**
 * The WebAssembly verification backend against the pure-JS one (@noble/curves), side by side
 * in the same run: `npm run bench:wasm` (`npx node bench/wasm.ts [rounds=5]`). One 1-of-5
 * contest, 3-of-5 trustees, as bench/election.ts. Rounds alternate js and wasm so both see the
 * same machine load; times are the thread's CPU time (process.threadCpuUsage), which a shared
 * machine disturbs less than wall time (each measurement runs for tens of milliseconds at
 * least, well above the clock's granularity); each cell is the median over rounds, and the
 * ratio range is per round.
 */

import { cpus, loadavg } from "node:os";
import { hash_to_field } from "@noble/curves/abstract/hash-to-curve.js";
import { sha512 as nobleSha512 } from "@noble/hashes/sha2.js";
import { sha512 } from "../src/crypto/hash.ts";
import {
  decodePoint,
  encodePublicPoint,
  msmPublic,
  ORDER,
  type Point,
} from "../src/election/group.ts";
import {
  decodeBallot,
  encodeBallot,
  encryptBallot,
  seededRng,
  verifyBallot,
  verifyBallotsBatch,
} from "../src/election/index.ts";
import { type ArithmeticName, useArithmetic } from "../src/election/public-arithmetic.ts";
import { isSaylauError } from "../src/errors.ts";
import { benchElection, credentialOf } from "./bench-election.ts";

const [rounds = 5] = process.argv.slice(2).map(Number);

const { ctx, rng } = benchElection();
const BALLOTS = 96;
const ballots = Array.from({ length: BALLOTS }, (_, i) => {
  const body = encryptBallot(
    ctx,
    credentialOf(i),
    [[0, 1, 2, 3, 4].map((j) => (j === i % 6 ? 1 : 0))],
    rng,
  );
  return { credential: credentialOf(i), bytes: encodeBallot(body) };
});
// A ballot whose last branch equation fails (a response from another ballot): rejecting it
// takes the equation-by-equation walk, which names the failing proof.
const bad = (() => {
  const body = decodeBallot(ctx, ballots[0]!.bytes);
  body.contests[0]!.proof[1]!.v = Uint8Array.from(
    decodeBallot(ctx, ballots[1]!.bytes).contests[0]!.proof[1]!.v,
  );
  return encodeBallot(body);
})();
const encodings = ballots.flatMap((b) =>
  decodeBallot(ctx, b.bytes).contests[0]!.selections.flatMap((s) => [s.alpha, s.beta]),
);

const cpu = () => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};
function measure(fn: () => void): number {
  const start = cpu();
  fn();
  return cpu() - start;
}

interface Row {
  readonly name: string;
  readonly unit: "us" | "ms";
  readonly per: number;
  readonly goal?: string;
  readonly prepare?: () => void;
  readonly run: () => void;
}

let toEncode: Point[] = [];

const msmPoints: Point[] = [];
const msmScalars: bigint[] = [];
const msmRng = seededRng(new Uint8Array(32).fill(4));
const rows: Row[] = [
  {
    name: "decode a point (fresh bytes)",
    unit: "us",
    per: 2000,
    goal: "<= 20 us",
    run: () => {
      for (let i = 0; i < 2000; i++) decodePoint(Uint8Array.from(encodings[i % encodings.length]!));
    },
  },
  {
    name: "encode a point (Z != 1)",
    unit: "us",
    per: 1000,
    // Fresh point objects each time (encodings are memoised per object), made beforehand.
    prepare: () => {
      const n = encodings.length;
      toEncode = Array.from({ length: 1000 }, (_, i) =>
        decodePoint(encodings[i % n]!).add(decodePoint(encodings[(i + 1) % n]!)),
      );
    },
    run: () => {
      for (const p of toEncode) encodePublicPoint(p);
    },
  },
  {
    name: "MSM, 2,178 points (64 ballots' worth), per point",
    unit: "us",
    per: 2178,
    run: () => {
      if (msmPoints.length === 0) {
        for (let i = 0; i < 2178; i++) {
          msmPoints.push(decodePoint(encodings[i % encodings.length]!));
          let s = 0n;
          for (const b of msmRng(32)) s = (s << 8n) | BigInt(b);
          msmScalars.push(s % ORDER);
        }
      }
      msmPublic(msmPoints, msmScalars);
    },
  },
  {
    name: "batch-verify 64 ballots from bytes, per ballot",
    unit: "ms",
    per: 64,
    goal: "<= 1.5 ms",
    run: () => {
      const items = ballots
        .slice(0, 64)
        .map((b) => ({ credential: b.credential, body: decodeBallot(ctx, b.bytes) }));
      if (verifyBallotsBatch(ctx, items).length !== 0) throw new Error("honest batch rejected");
    },
  },
  {
    name: "verify one ballot alone, from bytes",
    unit: "ms",
    per: 16,
    goal: "< 5 ms",
    run: () => {
      for (let i = 64; i < 80; i++) {
        verifyBallot(ctx, ballots[i]!.credential, decodeBallot(ctx, ballots[i]!.bytes));
      }
    },
  },
  {
    name: "reject one bad ballot, naming the proof",
    unit: "ms",
    per: 8,
    run: () => {
      for (let i = 0; i < 8; i++) {
        try {
          verifyBallot(ctx, ballots[0]!.credential, decodeBallot(ctx, bad));
          throw new Error("bad ballot accepted");
        } catch (err) {
          if (!isSaylauError(err) || err.code !== "election/bad_proof") throw err;
        }
      }
    },
  },
];

const ARITHMETICS: ArithmeticName[] = ["js", "wasm"];
const results = new Map<string, Record<ArithmeticName, number[]>>();
for (const row of rows) results.set(row.name, { js: [], wasm: [] });
// Warm-up: fixed-base tables, JIT, the wasm instance.
for (const name of ARITHMETICS) {
  useArithmetic(name);
  for (const row of rows) {
    row.prepare?.();
    row.run();
  }
}
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 === 0 ? ARITHMETICS : [...ARITHMETICS].reverse()) {
    useArithmetic(name);
    for (const row of rows) {
      row.prepare?.();
      const ms = measure(row.run);
      results.get(row.name)![name].push((row.unit === "us" ? ms * 1000 : ms) / row.per);
    }
  }
}

// Fiat-Shamir: the same hash_to_field over noble's SHA-512 and over node:crypto's.
const message = new Uint8Array(32 * 3 + 8 + 64 * 2 + 64);
const hashWith = (hash: typeof nobleSha512) => () => {
  for (let i = 0; i < 2000; i++) {
    message[0] = i & 0xff;
    hash_to_field(message, 1, {
      DST: "saylau/v1/election/selection-proof",
      p: ORDER,
      m: 1,
      k: 128,
      expand: "xmd",
      hash,
    });
  }
};
const hashTimes = { noble: [] as number[], node: [] as number[] };
for (let r = 0; r < rounds + 1; r++) {
  const noble = (measure(hashWith(nobleSha512)) * 1000) / 2000;
  const node = (measure(hashWith(sha512)) * 1000) / 2000;
  if (r > 0) {
    hashTimes.noble.push(noble);
    hashTimes.node.push(node);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fmt = (x: number, unit: string) =>
  `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)} ${unit}`;
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")} at the end; ${rounds} rounds, thread CPU time, medians`,
);
console.log("");
console.log("| operation | pure JS (noble) | wasm | js / wasm (per round) | goal |");
console.log("| --- | ---: | ---: | ---: | --- |");
for (const row of rows) {
  const { js, wasm } = results.get(row.name)!;
  const ratios = js.map((j, i) => j / wasm[i]!);
  console.log(
    `| ${row.name} | ${fmt(median(js), row.unit)} | ${fmt(median(wasm), row.unit)} | ${(median(js) / median(wasm)).toFixed(1)}x (${Math.min(...ratios).toFixed(1)}-${Math.max(...ratios).toFixed(1)}) | ${row.goal ?? ""} |`,
  );
}
console.log(
  `| Fiat-Shamir challenge (hash_to_field, 296-byte message) | ${fmt(median(hashTimes.noble), "us")} noble SHA-512 | ${fmt(median(hashTimes.node), "us")} node:crypto SHA-512 | ${(median(hashTimes.noble) / median(hashTimes.node)).toFixed(1)}x | |`,
);
