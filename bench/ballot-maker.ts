/**
 * Worker thread of bench/ballot-cache.ts: encrypts and signs the ballots of the voters it is
 * given, posting them back 100 at a time.
 */
import { parentPort, workerData } from "node:worker_threads";
import { keyPairFromSeed } from "../src/crypto/ed25519.ts";
import { ledgerContext } from "../src/ledger/context.ts";
import { ballotTx } from "../src/ledger/tx-builders.ts";
import type { MakerJob } from "./ballot-cache.ts";
import { choicesFor } from "./national-election.ts";

const job = workerData as MakerJob;
const ctx = ledgerContext(job.manifest);
let batch: Uint8Array[] = [];
job.seeds.forEach((seed, k) => {
  const d = job.districts[k]!;
  batch.push(ballotTx(ctx, keyPairFromSeed(seed), d, choicesFor(ctx, d, job.from + k), 1));
  if (batch.length === 100) {
    parentPort!.postMessage(batch);
    batch = [];
  }
});
if (batch.length > 0) parentPort!.postMessage(batch);
