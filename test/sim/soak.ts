/**
 * Long soak over many seeds, or replay of one:
 *   npx node test/sim/soak.ts --seeds 100000 [--from 1] [--n 4,7,20] [--mutation quorum-2f] [--ed25519]
 *     [--clock within-f|beyond-f] [--verbose]
 * Exits 1 if any seed violates an invariant, printing each with its replay command.
 */
import type { UnsafeTestMutation } from "../../src/consensus/index.ts";
import type { ClockSkew } from "./clock-scenario.ts";
import { replayCommand, runSeed } from "./run-seeds.ts";
import { describeScenario } from "./scenario.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seeds = Number(arg("seeds") ?? 1000);
const from = Number(arg("from") ?? 1);
const sizes = (arg("n") ?? "4,7,20").split(",").map(Number);
const mutation = arg("mutation") as UnsafeTestMutation | undefined;
const clock = arg("clock") as ClockSkew | undefined;
if (clock !== undefined && clock !== "within-f" && clock !== "beyond-f")
  throw new Error("--clock is within-f or beyond-f");
const verbose = process.argv.includes("--verbose");
const crypto = process.argv.includes("--ed25519") ? "ed25519" : "stand-in";

const started = performance.now();
let failures = 0;
let runs = 0;
for (let seed = from; seed < from + seeds; seed++) {
  // Spread the sizes over the seeds; N=20 costs about 10x N=4.
  const n = sizes[seed % sizes.length]!;
  const result = runSeed(seed, n, {
    crypto,
    ...(mutation === undefined ? {} : { mutation }),
    ...(clock === undefined ? {} : { clock }),
  });
  runs++;
  if (verbose) {
    const s = result.stats;
    console.log(
      `${describeScenario(result.scenario)} height=${s.finalHeight} msgs=${s.messagesSent} views=${s.viewChanges} evidence=${s.evidence} end=${s.endMs}ms`,
    );
  }
  if (result.violations.length > 0) {
    failures++;
    console.log(`FAIL ${describeScenario(result.scenario)}`);
    for (const v of result.violations) console.log(`  ${v.kind} @${v.atMs}ms: ${v.detail}`);
    console.log(`  replay: ${replayCommand({ seed, n }, mutation, clock)}`);
  }
  if (runs % 1000 === 0) {
    console.log(
      `${runs} seeds, ${failures} failing, ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  }
}
console.log(
  `done: ${runs} seeds (N in ${sizes.join(",")}), ${failures} failing, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exitCode = failures > 0 ? 1 : 0;
