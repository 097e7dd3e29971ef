/**
 * What the start-up store check costs: on copies of a stopped validator's data directory,
 * rounds interleaved so each measure sees the same machine load,
 *   - baselines: reading every file of the directory (the disk's share), and opening the
 *     ledger without any check (LedgerReplica.open: what a start did before the check);
 *   - the LevelDB file check (every table block's and log record's CRC-32C);
 *   - the chain check (every block decoded canonically and hashed, log roots, certificate
 *     signatures, state hashes);
 *   - openLedger as a validator runs it (file check, open, chain check).
 * Wall time, and the main thread's CPU time (process.threadCpuUsage), which is the check's
 * own work whatever else the machine is doing; the extrapolation uses the CPU time.
 *
 *   npm run demo          # leaves demo-data/ with four validators' data directories
 *   npx node bench/store-check.ts [dataDir=demo-data/election/validators/0/data]
 *                                 [manifest=demo-data/election/manifest.cbor] [rounds=5]
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { LedgerReplica } from "../src/node/ledger-replica.ts";
import { openLedger } from "../src/node/open-ledger.ts";
import { checkStoredChain } from "../src/node/store-check.ts";
import { checkStoreFiles } from "../src/node/store-files-check.ts";

const [
  source = "demo-data/election/validators/0/data",
  manifestFile = "demo-data/election/manifest.cbor",
  roundsArg = "5",
] = process.argv.slice(2);
const rounds = Number(roundsArg);
const manifest = new Uint8Array(readFileSync(manifestFile));
const work = mkdtempSync(join(tmpdir(), "saylau-bench-store-"));
const silent = pino({ level: "silent" });

/** A fresh copy per measure: opening LevelDB rewrites its log into a table. */
function copy(name: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(source, dir, { recursive: true });
  return dir;
}

const NAMES = [
  "read every file (disk baseline)",
  "open without a check (baseline)",
  "LevelDB file check",
  "chain check",
  "openLedger (all of it)",
] as const;
type Name = (typeof NAMES)[number];
const wall = new Map<Name, number[]>(NAMES.map((n) => [n, []]));
const cpu = new Map<Name, number[]>(NAMES.map((n) => [n, []]));

async function measure(name: Name, run: () => Promise<unknown>): Promise<void> {
  const c = process.threadCpuUsage();
  const t = performance.now();
  await run();
  wall.get(name)!.push(performance.now() - t);
  const used = process.threadCpuUsage(c);
  cpu.get(name)!.push((used.user + used.system) / 1000);
}

let shape = { height: 0, txs: 0, chainBytes: 0, fileBytes: 0, tables: 0 };
for (let r = 0; r < rounds; r++) {
  const a = copy("a");
  await measure("read every file (disk baseline)", async () => {
    for (const n of readdirSync(a)) readFileSync(join(a, n));
  });
  await measure("LevelDB file check", async () => {
    const files = await checkStoreFiles(a);
    shape = { ...shape, fileBytes: files.bytes, tables: files.tables };
  });
  let replica: LedgerReplica | undefined;
  await measure("open without a check (baseline)", async () => {
    replica = await LedgerReplica.open(a, manifest);
  });
  await measure("chain check", async () => {
    const chain = await checkStoredChain(replica!.store, replica!.ctx);
    shape = { ...shape, height: chain.height, txs: chain.txs, chainBytes: chain.bytes };
  });
  await replica!.close();
  const b = copy("b");
  await measure("openLedger (all of it)", async () => {
    const opened = await openLedger(b, manifest, silent);
    await opened.replica.close();
  });
}
rmSync(work, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
console.log(`${cpus().length} cores (${cpus()[0]?.model}), load average ${load}; ${rounds} rounds`);
const mib = shape.fileBytes / 2 ** 20;
console.log(
  `store: ${shape.height} blocks, ${shape.txs} transactions; ${mib.toFixed(1)} MiB of LevelDB files (${shape.tables} tables); ${(shape.chainBytes / 2 ** 20).toFixed(1)} MiB of blocks, certificates and states`,
);
console.log(`${"median of".padEnd(34)}  wall ms  main-thread CPU ms  (wall ms per round)`);
for (const name of NAMES) {
  const w = wall.get(name)!;
  console.log(
    `${name.padEnd(34)} ${median(w).toFixed(0).padStart(8)} ${median(cpu.get(name)!).toFixed(0).padStart(19)}  (${w.map((x) => x.toFixed(0)).join(", ")})`,
  );
}
const filesCpu = median(cpu.get("LevelDB file check")!);
const chainCpu = median(cpu.get("chain check")!);
console.log(
  `CPU: file check ${(filesCpu / mib).toFixed(1)} ms per MiB of files; chain check ${((chainCpu / Math.max(1, shape.txs)) * 1000).toFixed(0)} us per transaction, ${(chainCpu / Math.max(1, shape.height)).toFixed(2)} ms per block`,
);
const scale = 1000;
console.log(
  `linear extrapolation to ${scale}x this chain (${(shape.txs * scale).toLocaleString("en")} transactions, ${((mib * scale) / 1024).toFixed(1)} GiB of files): about ${(((filesCpu + chainCpu) * scale) / 1000).toFixed(0)} s of CPU`,
);
