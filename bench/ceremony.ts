/**
 * Key ceremony benchmark: `npx node bench/ceremony.ts [--rounds R]`. Runs the per-machine
 * ceremony (5 trustees, threshold 3) through the same functions `saylau trustee ceremony`
 * runs, each trustee in its own temporary directory, and prints a Markdown table: each
 * trustee's time for each step (median over the rounds), the CPU time of all trustees, and,
 * measured in the same run as the baseline, the same ceremony in one process with no files,
 * no signatures and no key files (src/election/seeded.ts) and one scrypt derivation.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  ceremonyAssemble,
  ceremonyFinish,
  ceremonyInit,
  ceremonyShares,
  ceremonyVerify,
} from "../src/cli/ceremony-steps.ts";
import { sealSecret } from "../src/cli/keystore.ts";
import { utf8 } from "../src/crypto/bytes.ts";
import { seededElection } from "../src/election/seeded.ts";

const N = 5;
const T = 3;
const STEPS = ["init", "shares", "verify", "finish"] as const;
type Step = (typeof STEPS)[number];

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
const rounds = Number(values.rounds);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Wall and CPU (user + system) milliseconds of fn. */
function measure(fn: () => unknown): { wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

interface Round {
  wall: Record<Step, number[]>; // [trustee-1]
  cpuOf: Record<Step, number[]>; // [trustee-1]
  cpu: number; // all steps of all trustees
  assemble: { wall: number; cpu: number };
  total: number;
}

function oneRound(r: number): Round {
  const root = mkdtempSync(join(tmpdir(), "saylau-bench-ceremony-"));
  try {
    const bulletin = join(root, "bulletin");
    const input = (i: number) => ({
      dir: join(root, `trustee-${i}`),
      publicDir: bulletin,
      passphrase: `bench passphrase of trustee ${i}`,
    });
    const ceremonyId = new Uint8Array(32).fill(r + 1);
    const wall = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Round["wall"];
    const cpuOf = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Round["cpuOf"];
    let cpu = 0;
    const run: Record<Step, (i: number) => unknown> = {
      init: (i) =>
        ceremonyInit({ ...input(i), index: i, ceremonyId, threshold: T, trusteeCount: N }),
      shares: (i) => ceremonyShares(input(i)),
      verify: (i) => ceremonyVerify(input(i)),
      finish: (i) => ceremonyFinish(input(i)),
    };
    const t0 = performance.now();
    for (const step of STEPS) {
      for (let i = 1; i <= N; i++) {
        const m = measure(() => run[step](i));
        wall[step].push(m.wall);
        cpuOf[step].push(m.cpu);
        cpu += m.cpu;
      }
    }
    const assemble = measure(() => ceremonyAssemble(bulletin, join(root, "transcript.cbor")));
    const total = performance.now() - t0 - assemble.wall;
    return { wall, cpuOf, cpu, assemble, total };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

// Warm-up round (JIT, fixed-base tables), not counted.
oneRound(99);
const results = Array.from({ length: rounds }, (_, r) => oneRound(r));

const baselineRuns = Array.from({ length: rounds }, (_, r) =>
  measure(() =>
    seededElection({
      seed: utf8(`bench ceremony baseline ${r}`),
      contests: [{ label: "Q", options: ["a", "b"], limit: 1 }],
      threshold: T,
      trusteeCount: N,
    }),
  ),
);
const scryptRuns = Array.from({ length: rounds }, () =>
  measure(() => sealSecret("trustee-share", new Uint8Array(64), "bench passphrase")),
);
/** "wall / CPU", each the median of its runs. */
const wallCpu = (runs: { wall: number; cpu: number }[]) =>
  `${fmt(median(runs.map((m) => m.wall)))} / ${fmt(median(runs.map((m) => m.cpu)))}`;

const rows: (string | number)[][] = [
  ["step", ...Array.from({ length: N }, (_, i) => `trustee ${i + 1}`)],
];
const both = (wallOf: (x: Round) => number, cpuOf: (x: Round) => number) =>
  `${fmt(median(results.map(wallOf)))} / ${fmt(median(results.map(cpuOf)))}`;
for (const step of STEPS) {
  rows.push([
    step,
    ...Array.from({ length: N }, (_, i) =>
      both(
        (x) => x.wall[step][i]!,
        (x) => x.cpuOf[step][i]!,
      ),
    ),
  ]);
}
rows.push([
  "all four steps",
  ...Array.from({ length: N }, (_, i) =>
    both(
      (x) => STEPS.reduce((sum, s) => sum + x.wall[s][i]!, 0),
      (x) => STEPS.reduce((sum, s) => sum + x.cpuOf[s][i]!, 0),
    ),
  ),
]);

console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} at the end; median of ${rounds} rounds after one warm-up\n`,
);
console.log(`Each trustee's steps (${N} trustees, threshold ${T}), wall / CPU time:\n`);
console.log(mdTable(rows));
console.log();
console.log(
  mdTable([
    ["whole ceremony", "wall / CPU"],
    [
      "all steps of all 5 trustees, one after another",
      wallCpu(results.map((x) => ({ wall: x.total, cpu: x.cpu }))),
    ],
    ["ceremony assemble (build + verify the transcript)", wallCpu(results.map((x) => x.assemble))],
    [
      "baseline: the same ceremony in one process, no files, signatures or key files",
      wallCpu(baselineRuns),
    ],
    ["baseline: sealing one key file (one scrypt N=2^15, r=8)", wallCpu(scryptRuns)],
  ]),
);

/** A Markdown table, columns padded to their widest cell. */
function mdTable(body: (string | number)[][]): string {
  const widths = body[0]!.map((_, c) => Math.max(...body.map((r) => String(r[c]).length)));
  const line = (r: (string | number)[]) =>
    `| ${r.map((cell, c) => String(cell).padEnd(widths[c]!)).join(" | ")} |`;
  return [
    line(body[0]!),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...body.slice(1).map(line),
  ].join("\n");
}
