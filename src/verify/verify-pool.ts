/**
 * A pool of worker threads that verify transactions off the event loop. Submissions are
 * gathered into batches (up to `maxBatch`, or whatever arrived within `lingerMs`) so the
 * ballot proofs of a batch are checked with one multi-scalar multiplication; each caller
 * gets its own verdict.
 */
import { Worker } from "node:worker_threads";
import { takeOverDecodings } from "../election/group.ts";
import { SaylauError } from "../errors.ts";
import type { TxVerdict } from "./verify-transactions.ts";

interface Pending {
  readonly tx: Uint8Array;
  readonly key: string | undefined;
  /** performance.now() when it was queued. */
  readonly since: number;
  readonly resolve: (v: TxVerdict) => void;
  readonly reject: (e: Error) => void;
}

interface WorkerReply {
  readonly id: number;
  readonly verdicts: TxVerdict[];
  readonly ms: number;
  readonly cpuMs: number;
}

interface WorkerSlot {
  readonly worker: Worker;
  busy: boolean;
}

export interface VerifyPoolOptions {
  readonly manifest: Uint8Array;
  readonly workers: number;
  readonly maxBatch?: number;
  readonly lingerMs?: number;
  /** After each batch: its size, its wall time and the worker thread's CPU time for it. */
  readonly onBatch?: (size: number, ms: number, cpuMs: number) => void;
}

export class VerifyPool {
  readonly #slots: WorkerSlot[] = [];
  /** Proposal checks go first: a block waits on them, a client only on its own ballot. */
  readonly #urgent: Pending[] = [];
  readonly #queue: Pending[] = [];
  /** One verification per transaction at a time, however many callers ask for it. */
  readonly #inflight = new Map<string, Promise<TxVerdict>>();
  readonly #jobs = new Map<number, { items: Pending[]; slot: WorkerSlot }>();
  readonly #maxBatch: number;
  readonly #lingerMs: number;
  readonly #onBatch: VerifyPoolOptions["onBatch"];
  #nextJob = 1;
  #msPerCheck = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: VerifyPoolOptions) {
    this.#maxBatch = options.maxBatch ?? 64;
    // A batch's proofs are checked with one MSM, so a ballot costs less the more company it
    // has (measured: 20 ms alone, 11.7 ms each in a batch of 16, 10.5 ms in 64). Admissions
    // wait up to this long for company; proposal checks never wait.
    this.#lingerMs = options.lingerMs ?? 100;
    this.#onBatch = options.onBatch;
    const url = new URL("./verify-worker.ts", import.meta.url);
    for (let i = 0; i < Math.max(1, options.workers); i++) {
      const worker = new Worker(url, { workerData: { manifest: options.manifest } });
      const slot: WorkerSlot = { worker, busy: false };
      worker.on("message", (msg: WorkerReply) => this.#done(msg));
      worker.on("error", (err) => this.#failSlot(slot, err));
      worker.unref();
      this.#slots.push(slot);
    }
  }

  /** `key` names the transaction (its id) so concurrent requests for it share one check. */
  verify(tx: Uint8Array, key?: string, urgent = false): Promise<TxVerdict> {
    if (this.#closed) {
      return Promise.reject(new SaylauError("node/stopping", "verification pool is closed"));
    }
    if (key !== undefined) {
      const running = this.#inflight.get(key);
      if (running !== undefined) {
        if (urgent) this.#promote(key);
        return running;
      }
    }
    const promise = new Promise<TxVerdict>((resolve, reject) => {
      const since = performance.now();
      (urgent ? this.#urgent : this.#queue).push({ tx, key, since, resolve, reject });
      this.#schedule();
    });
    if (key !== undefined) {
      this.#inflight.set(key, promise);
      const forget = () => this.#inflight.delete(key);
      promise.then(forget, forget);
    }
    return promise;
  }

  /** Move a queued (not yet dispatched) transaction to the urgent queue. */
  #promote(key: string): void {
    const at = this.#queue.findIndex((p) => p.key === key);
    if (at >= 0) {
      this.#urgent.push(...this.#queue.splice(at, 1));
      this.#schedule();
    }
  }

  verifyAll(
    txs: readonly Uint8Array[],
    keys?: readonly string[],
    urgent = false,
  ): Promise<TxVerdict[]> {
    return Promise.all(txs.map((t, i) => this.verify(t, keys?.[i], urgent)));
  }

  get queued(): number {
    return this.#queue.length + this.#urgent.length;
  }

  /** Recent wall time per check in ms (an average over the last batches); 0 before any. */
  get msPerCheck(): number {
    return this.#msPerCheck;
  }

  /**
   * The verification backlog in ms at `now`: the longer of how long the oldest queued check
   * (proposal checks aside: they go first) has waited, and how long the checks queued now
   * would take at the recent rate; 0 when none waits. Whatever is submitted now waits about
   * that long. The first reacts to workers slowing down, the second at once to a burst.
   * In time rather than in transactions, since a ballot costs some 40 times a registration.
   */
  backlogMs(now = performance.now()): number {
    const first = this.#queue[0];
    const waited = first === undefined ? 0 : Math.max(0, now - first.since);
    const queued = this.#queue.length + this.#urgent.length;
    return Math.max(waited, (queued * this.#msPerCheck) / this.#slots.length);
  }

  #schedule(): void {
    if (this.#urgent.length > 0 || this.#queue.length >= this.#maxBatch) {
      this.#dispatch();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#dispatch();
      }, this.#lingerMs);
    }
  }

  #dispatch(): void {
    while (this.#urgent.length > 0 || this.#queue.length > 0) {
      const slot = this.#slots.find((s) => !s.busy);
      if (slot === undefined) return; // resumed when a worker finishes
      const items = this.#urgent.splice(0, this.#maxBatch);
      if (items.length < this.#maxBatch)
        items.push(...this.#queue.splice(0, this.#maxBatch - items.length));
      const id = this.#nextJob++;
      slot.busy = true;
      this.#jobs.set(id, { items, slot });
      slot.worker.ref();
      slot.worker.postMessage({ id, txs: items.map((i) => i.tx) });
    }
  }

  #done(msg: WorkerReply): void {
    const job = this.#jobs.get(msg.id);
    if (job === undefined) return;
    this.#jobs.delete(msg.id);
    job.slot.busy = false;
    job.slot.worker.unref();
    this.#onBatch?.(job.items.length, msg.ms, msg.cpuMs);
    const perCheck = msg.ms / Math.max(1, job.items.length);
    this.#msPerCheck = this.#msPerCheck === 0 ? perCheck : 0.8 * this.#msPerCheck + 0.2 * perCheck;
    job.items.forEach((item, i) => {
      const verdict = msg.verdicts[i];
      if (verdict === undefined) {
        item.resolve({ ok: false, code: "node/verify_failed", message: "no verdict" });
        return;
      }
      const { tallyPoints, ...rest } = verdict;
      // The worker decoded the ballot's ciphertexts; the tally here reuses those decodings.
      if (tallyPoints !== undefined) takeOverDecodings(tallyPoints);
      item.resolve(rest);
    });
    this.#dispatch();
  }

  #failSlot(slot: WorkerSlot, err: Error): void {
    for (const [id, job] of this.#jobs) {
      if (job.slot !== slot) continue;
      this.#jobs.delete(id);
      for (const item of job.items) item.reject(err);
    }
    slot.busy = true; // a crashed worker takes no more jobs
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const item of [...this.#urgent.splice(0), ...this.#queue.splice(0)])
      item.reject(new SaylauError("node/stopping", "node is stopping"));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
