/**
 * Worker thread: holds the election context (with its fixed-base tables) and answers
 * verification jobs from the pool. Receives `{ manifest }` first, then `{ id, txs }` jobs.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ledgerContext } from "../ledger/context.ts";
import { arithmeticFromEnv } from "./arithmetic-from-env.ts";
import { verifyTransactions } from "./verify-transactions.ts";

arithmeticFromEnv();
const ctx = ledgerContext(new Uint8Array((workerData as { manifest: Uint8Array }).manifest));

parentPort!.on("message", (job: { id: number; txs: Uint8Array[] }) => {
  const started = performance.now();
  const cpuStarted = process.threadCpuUsage();
  let verdicts: ReturnType<typeof verifyTransactions>;
  try {
    verdicts = verifyTransactions(ctx, job.txs);
  } catch (err) {
    verdicts = job.txs.map(() => ({
      ok: false,
      code: "node/verify_failed",
      message: (err as Error).message,
    }));
  }
  const cpu = process.threadCpuUsage(cpuStarted);
  parentPort!.postMessage({
    id: job.id,
    verdicts,
    ms: performance.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
  });
});
