/**
 * Validators of an election directory run as child processes on this machine: what the
 * demo, the cluster benchmark and the end-to-end tests start, kill and restart.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { openSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { SaylauError } from "../errors.ts";
import type { BlockView, StatusView } from "../node/api/service.ts";
import { apiRequest } from "./http-client.ts";

const CLI = resolve(import.meta.dirname, "main.ts");

async function portsFree(ports: number[]): Promise<boolean> {
  for (const port of ports) {
    const ok = await new Promise<boolean>((res) => {
      const s = createServer();
      s.once("error", () => res(false));
      s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
    });
    if (!ok) return false;
  }
  return true;
}

/** Two runs of `count` consecutive free loopback ports, for the validators' p2p and HTTP. */
export async function pickPorts(
  count: number,
  from = 7100,
): Promise<{ p2pBase: number; httpBase: number }> {
  for (let base = from; base < 60000; base += 100) {
    const p2p = Array.from({ length: count }, (_, i) => base + i);
    const http = p2p.map((p) => p + 1000);
    if (await portsFree([...p2p, ...http])) return { p2pBase: base, httpBase: base + 1000 };
  }
  throw new SaylauError("cli/no_ports", "no free loopback ports for the validators");
}

export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new SaylauError("cli/timeout", `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class LocalCluster {
  readonly dir: string;
  readonly urls: readonly string[];
  readonly #children: (ChildProcess | undefined)[] = [];
  readonly #env: NodeJS.ProcessEnv;

  constructor(electionDir: string, count: number, httpBase: number, env: NodeJS.ProcessEnv = {}) {
    this.dir = electionDir;
    this.urls = Array.from({ length: count }, (_, i) => `http://127.0.0.1:${httpBase + i}`);
    this.#env = env;
  }

  start(i: number): ChildProcess {
    const vdir = join(this.dir, "validators", String(i));
    const out = openSync(join(vdir, "node.log"), "a");
    const child = spawn(
      process.execPath,
      [CLI, "node", "start", "--config", join(vdir, "config.json")],
      {
        stdio: ["ignore", out, out],
        cwd: vdir,
        env: { ...process.env, ...this.#env },
      },
    );
    this.#children[i] = child;
    return child;
  }

  isRunning(i: number): boolean {
    const c = this.#children[i];
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  kill(i: number, signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.isRunning(i)) this.#children[i]!.kill(signal);
  }

  async waitExit(i: number, timeoutMs = 10_000): Promise<void> {
    await until(`validator ${i} to exit`, async () => !this.isRunning(i), timeoutMs, 20);
  }

  /** Every validator in `which` answers and sees all the others. */
  async waitReady(which: readonly number[], timeoutMs = 90_000): Promise<void> {
    await until(
      "validators to start",
      async () => {
        const s = await Promise.all(
          which.map((i) => apiRequest<StatusView>(this.urls[i]!, "/v1/status")),
        );
        return s.every((x) => x.peers.length >= which.length - 1);
      },
      timeoutMs,
      200,
    );
  }

  async stopAll(graceMs = 5000): Promise<void> {
    for (let i = 0; i < this.#children.length; i++) this.kill(i, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && this.#children.some((_, i) => this.isRunning(i))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    this.killAllNow();
  }

  killAllNow(): void {
    for (let i = 0; i < this.#children.length; i++) this.kill(i, "SIGKILL");
  }
}

/**
 * Polls one validator's committed blocks and records when each transaction id first
 * appeared, to time transactions from submission to commit (late by at most `everyMs`).
 */
export function watchCommits(url: string, fromHeight: number, everyMs: number) {
  const committedAt = new Map<string, number>();
  let height = fromHeight;
  let running = true;
  const done = (async () => {
    while (running) {
      try {
        const page = await apiRequest<{ blocks: BlockView[] }>(
          url,
          `/v1/blocks?from=${height}&limit=100`,
        );
        const now = performance.now();
        for (const b of page.blocks) {
          for (const id of b.txIds) committedAt.set(id, now);
          height = b.height + 1;
        }
      } catch {
        // the validator is busy: poll again
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    committedAt,
    stop: async () => {
      running = false;
      await done;
    },
  };
}
