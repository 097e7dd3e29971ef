/**
 * Sums the self time of V8 CPU profiles (`--cpu-prof` files) by source file and by function,
 * to show where a validator's threads spend their time:
 *
 *   npx node bench/profile-summary.ts <dir or .cpuprofile files> [--top 25]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { table } from "../src/cli/output.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" } },
});
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}
const files = positionals.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((f) => f.endsWith(".cpuprofile"))
        .map((f) => join(p, f))
    : [p],
);
const byFile = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === "(idle)") return;
    const where = frame.url.replace(/^.*\/(src|node_modules)\//, "$1/") || frame.functionName;
    const fn = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
    byFile.set(where, (byFile.get(where) ?? 0) + us);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    total += us;
  });
}
const top = Number(values.top);
const rows = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => [k, (us / 1e6).toFixed(2), `${((us / total) * 100).toFixed(1)}%`]);
console.log(`${files.length} profiles, ${(total / 1e6).toFixed(1)} s of samples (idle excluded)\n`);
console.log(table([["file", "self s", "share"], ...rows(byFile)]));
console.log("");
console.log(table([["function", "self s", "share"], ...rows(byFunction)]));
