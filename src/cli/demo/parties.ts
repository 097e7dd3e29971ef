/**
 * The demo's parties as child processes: each step of each party is one run of the `saylau`
 * command with that party's own directory, at most `concurrency` at once. A failing step
 * fails the demo with the party's own error message.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { SaylauError } from "../../errors.ts";

const CLI = resolve(import.meta.dirname, "..", "main.ts");

export interface PartyRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export class Parties {
  readonly #concurrency: number;
  #running = 0;
  readonly #queue: (() => void)[] = [];
  readonly #env: NodeJS.ProcessEnv;
  /** Wall time of every run that succeeded, in ms: the demo plans its schedule from these. */
  readonly durations: number[] = [];
  runs = 0;

  constructor(concurrency: number, env: NodeJS.ProcessEnv = {}) {
    this.#concurrency = concurrency;
    this.#env = env;
  }

  async #slot(): Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#running++;
      return;
    }
    await new Promise<void>((r) => this.#queue.push(r));
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next === undefined) this.#running--;
    else next();
  }

  /** One `saylau` run; resolves with its exit code and output, whatever the code. */
  async tryRun(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<PartyRun> {
    await this.#slot();
    const started = performance.now();
    try {
      return await new Promise<PartyRun>((done, fail) => {
        const child = spawn(process.execPath, [CLI, ...args], {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, ...this.#env, ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => {
          stdout += String(d);
        });
        child.stderr.on("data", (d) => {
          stderr += String(d);
        });
        child.on("error", fail);
        child.on("close", (code) => {
          this.runs++;
          const ms = performance.now() - started;
          if (code === 0) this.durations.push(ms);
          done({ code: code ?? 1, stdout, stderr, ms });
        });
      });
    } finally {
      this.#release();
    }
  }

  /** One `saylau` run that must succeed: its standard output, or the party's error. */
  async run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    const r = await this.tryRun(args, env);
    if (r.code !== 0) {
      throw new SaylauError(
        "demo/party_failed",
        `saylau ${args.join(" ")} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`,
      );
    }
    return r.stdout;
  }

  /** Median wall time of a party's step so far (ms), or `fallback` before any. */
  typicalMs(fallback: number): number {
    if (this.durations.length === 0) return fallback;
    const sorted = [...this.durations].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }
}
