/**
 * Real ballots for benchmarks, encrypted once and kept in the system's temporary directory
 * under a key the caller derives from the election (its id), since encrypting a ballot
 * costs about as much as verifying it and benchmarks re-run on the same seeded election.
 * The file is length-prefixed transaction bytes; it is only a cache. Missing ballots are
 * made in worker threads (bench/ballot-maker.ts), one per core: voter i casts option
 * i (mod options) of each contest of its district's style, sequence number 1.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { toHex } from "../src/crypto/bytes.ts";
import type { ElectionSetup } from "../src/ledger/election-setup.ts";

export interface MakerJob {
  readonly manifest: Uint8Array;
  readonly seeds: readonly Uint8Array[];
  readonly districts: readonly number[];
  /** The index of seeds[0] among the voters: which option each voter picks. */
  readonly from: number;
}

export function ballotCacheFile(setup: ElectionSetup, label: string): string {
  return join(tmpdir(), `saylau-bench-${label}-${toHex(setup.electionId).slice(0, 16)}.bin`);
}

function readCache(file: string, count: number): Uint8Array[] {
  const cached: Uint8Array[] = [];
  if (!existsSync(file)) return cached;
  const all = readFileSync(file);
  for (let at = 0; at + 4 <= all.length && cached.length < count; ) {
    const length = all.readUInt32BE(at);
    if (at + 4 + length > all.length) break; // cut short by an interrupted run
    cached.push(new Uint8Array(all.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return cached;
}

function append(file: string, txs: readonly Uint8Array[]): void {
  const parts: Buffer[] = [];
  for (const tx of txs) {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(tx.length);
    parts.push(prefix, Buffer.from(tx));
  }
  appendFileSync(file, Buffer.concat(parts));
}

function runMaker(job: MakerJob, onProgress: (made: number) => void): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./ballot-maker.ts", import.meta.url), { workerData: job });
    const out: Uint8Array[] = [];
    worker.on("message", (txs: Uint8Array[]) => {
      out.push(...txs);
      onProgress(txs.length);
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code !== 0) reject(new Error(`ballot maker exited with ${code}`));
      else if (out.length !== job.seeds.length) reject(new Error("ballot maker stopped early"));
      else resolve(out);
    });
  });
}

/** The first `count` voters' ballots, from the cache or made now (and cached). */
export async function cachedBallots(
  setup: ElectionSetup,
  label: string,
  count: number,
  say: (line: string) => void = () => {},
  workers = availableParallelism(),
): Promise<Uint8Array[]> {
  const file = ballotCacheFile(setup, label);
  const cached = readCache(file, count);
  // Made in slices, so an interrupted run keeps what it finished.
  const SLICE = 2000 * workers;
  while (cached.length < count) {
    const from = cached.length;
    const to = Math.min(count, from + SLICE);
    say(`encrypting ballots ${from}..${to - 1} of ${count} in ${workers} workers (cache ${file})`);
    const per = Math.ceil((to - from) / workers);
    let made = 0;
    let reported = 0;
    const parts = await Promise.all(
      Array.from({ length: workers }, (_, w) => {
        const a = from + w * per;
        const b = Math.min(to, a + per);
        if (a >= b) return Promise.resolve([] as Uint8Array[]);
        return runMaker(
          {
            manifest: setup.manifestBytes,
            seeds: setup.voters.slice(a, b).map((v) => v.seed),
            districts: setup.voterDistricts.slice(a, b),
            from: a,
          },
          (n) => {
            made += n;
            if (made - reported >= 1000) {
              reported = made;
              say(`  ${from + made} ballots encrypted`);
            }
          },
        );
      }),
    );
    const txs = parts.flat();
    append(file, txs);
    cached.push(...txs);
  }
  return cached;
}
