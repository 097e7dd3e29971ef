/**
 * Loading a cluster of validators over HTTP and reading where their CPU went: shared by the
 * cluster benchmarks (bench/cluster.ts, bench/national-cluster.ts, bench/scale.ts).
 */

import { apiRequest } from "../src/cli/http-client.ts";
import { until, watchCommits } from "../src/cli/local-cluster.ts";
import { toHex } from "../src/crypto/bytes.ts";

export interface LoadResult {
  readonly submitted: number;
  readonly committed: number;
  readonly seconds: number;
  readonly latencies: number[];
  readonly rejected: number;
  /** Why, by error code. */
  readonly rejections: Map<string, number>;
}

/**
 * Submits every transaction, `concurrency` at a time, or at `ratePerSecond` (open loop)
 * when given; waits until all are committed; reports throughput and latency.
 */
export async function load(
  urls: readonly string[],
  txs: readonly Uint8Array[],
  options: { concurrency: number; ratePerSecond?: number; batch?: number },
): Promise<LoadResult> {
  const status = await apiRequest<{ height: number }>(urls[0]!, "/v1/status");
  const watcher = watchCommits(urls[0]!, status.height + 1, 20);
  const submittedAt = new Map<string, number>();
  let rejected = 0;
  const rejections = new Map<string, number>();
  const reject = (code: string | undefined) => {
    rejected++;
    rejections.set(code ?? "unknown", (rejections.get(code ?? "unknown") ?? 0) + 1);
  };
  let next = 0;
  const started = performance.now();
  const send = async (i: number) => {
    const tx = txs[i]!;
    const t = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await apiRequest<{ id: string }>(urls[i % urls.length]!, "/v1/transactions", {
          tx: toHex(tx),
        });
        submittedAt.set(r.id, t);
        return;
      } catch (err) {
        if ((err as { code?: string }).code === "mempool/full" && attempt < 100) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        reject((err as { code?: string }).code);
        return;
      }
    }
  };
  const batch = options.batch ?? 1;
  if (batch > 1) {
    let nextBatch = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        for (;;) {
          const from = nextBatch;
          nextBatch += batch;
          if (from >= txs.length) return;
          const slice = txs.slice(from, from + batch);
          const t = performance.now();
          let r: { results: ({ id: string } | { error: unknown })[] };
          try {
            r = await apiRequest(urls[(from / batch) % urls.length]!, "/v1/transactions/batch", {
              txs: slice.map((x) => toHex(x)),
            });
          } catch (err) {
            // A request that failed as a whole (a timeout on a saturated machine): each of
            // its transactions counts as rejected, as a failed single request does.
            for (let k = 0; k < slice.length; k++) reject((err as { code?: string }).code);
            continue;
          }
          for (const item of r.results) {
            if ("id" in item) submittedAt.set(item.id, t);
            else reject((item.error as { code?: string }).code);
          }
        }
      }),
    );
  } else if (options.ratePerSecond === undefined) {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        for (;;) {
          const i = next++;
          if (i >= txs.length) return;
          await send(i);
        }
      }),
    );
  } else {
    const interval = 1000 / options.ratePerSecond;
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < txs.length; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(send(i));
    }
    await Promise.all(inflight);
  }
  await until(
    "every transaction to be committed",
    async () => [...submittedAt.keys()].every((id) => watcher.committedAt.has(id)),
    600_000,
    50,
  );
  await watcher.stop();
  let last = 0;
  const latencies: number[] = [];
  for (const [id, t] of submittedAt) {
    const c = watcher.committedAt.get(id)!;
    last = Math.max(last, c);
    latencies.push((c - t) / 1000);
  }
  latencies.sort((a, b) => a - b);
  return {
    submitted: txs.length,
    committed: submittedAt.size,
    seconds: (last - started) / 1000,
    latencies,
    rejected,
    rejections,
  };
}

/** What the validators' own metrics say about where their CPU time went. */
export interface Usage {
  readonly cpuSeconds: number;
  readonly mainSeconds: number;
  readonly mainByValidator: number[];
  readonly verifyCpuSeconds: number;
  readonly batches: number;
  readonly batchedTxs: number;
  /** Each validator's main-thread V8 heap in use (garbage not yet collected included). */
  readonly heapUsedBytes: number[];
  /** Each validator's memory outside the V8 heap held by JS objects (Buffers, WebAssembly). */
  readonly externalBytes: number[];
}

export async function usage(urls: readonly string[]): Promise<Usage> {
  const totals = {
    cpuSeconds: 0,
    mainSeconds: 0,
    mainByValidator: [] as number[],
    verifyCpuSeconds: 0,
    batches: 0,
    batchedTxs: 0,
    heapUsedBytes: [] as number[],
    externalBytes: [] as number[],
  };
  for (const url of urls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const value = (name: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${name} `));
      return line === undefined ? 0 : Number(line.split(" ").at(-1));
    };
    totals.cpuSeconds += value("saylau_process_cpu_seconds_total");
    totals.verifyCpuSeconds += value("saylau_verify_cpu_seconds_total");
    totals.mainSeconds += value("saylau_main_thread_cpu_seconds");
    totals.mainByValidator.push(value("saylau_main_thread_cpu_seconds"));
    totals.batches += value("saylau_verify_batch_transactions_count");
    totals.batchedTxs += value("saylau_verify_batch_transactions_sum");
    totals.heapUsedBytes.push(value("saylau_nodejs_heap_size_used_bytes"));
    totals.externalBytes.push(value("saylau_nodejs_external_memory_bytes"));
  }
  return totals;
}
