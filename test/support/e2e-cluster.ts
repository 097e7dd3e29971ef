/**
 * End-to-end support: a tiny seeded election in a temp directory, its validators as real
 * child processes on loopback (LocalCluster, exactly what the demo runs), and the HTTP-side
 * helpers the e2e tests wait and assert with. Every wait is a bounded poll of a condition;
 * a timeout names what it waited for and what the validators reported last.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeElectionDirectory } from "../../src/cli/election-dir.ts";
import { apiRequest } from "../../src/cli/http-client.ts";
import { LocalCluster, pickPorts } from "../../src/cli/local-cluster.ts";
import { toHex, utf8 } from "../../src/crypto/bytes.ts";
import type { Ed25519KeyPair } from "../../src/crypto/ed25519.ts";
import { sha256 } from "../../src/crypto/hash.ts";
import { ledgerContext } from "../../src/ledger/context.ts";
import { createElection, type ElectionSetup } from "../../src/ledger/election-setup.ts";
import { ballotTx } from "../../src/ledger/tx-builders.ts";
import type {
  BlockView,
  StatusView,
  SubmitResult,
  TxStatusView,
} from "../../src/node/api/service.ts";
import { approvalTx, registrationTxs } from "./election-fixture.ts";

export const E2E_CONTEST = { label: "Mayor", options: ["Aigerim", "Bauyrzhan", "Dana"], limit: 1 };

export interface E2eElection {
  readonly dir: string;
  readonly setup: ElectionSetup;
  readonly ctx: ReturnType<typeof ledgerContext>;
  readonly cluster: LocalCluster;
  readonly urls: readonly string[];
  readonly p2pBase: number;
  readonly httpBase: number;
  /** Stop every validator (SIGTERM, then SIGKILL) and remove the directory. */
  close(): Promise<void>;
}

/**
 * A 4-validator election with `voters` credentials on ports from `portsFrom` (give each test
 * file its own range: vitest runs files in parallel). Nothing is started yet.
 */
export async function e2eElection(options: {
  name: string;
  portsFrom: number;
  voters: number;
}): Promise<E2eElection> {
  const setup = createElection({
    name: `e2e ${options.name}`,
    createdAt: 1_780_000_000_000,
    seed: sha256(utf8(`saylau e2e ${options.name}`)),
    validators: 4,
    trustees: 3,
    threshold: 2,
    voters: options.voters,
    contests: [E2E_CONTEST],
  });
  const root = mkdtempSync(join(tmpdir(), `saylau-e2e-${options.name}-`));
  const dir = join(root, "election");
  const ports = await pickPorts(4, options.portsFrom);
  writeElectionDirectory(dir, setup, { host: "127.0.0.1", ...ports });
  const cluster = new LocalCluster(dir, 4, ports.httpBase, { SAYLAU_LOG_LEVEL: "warn" });
  // If the test process dies without running afterAll, take the validators with it.
  const onExit = () => cluster.killAllNow();
  process.once("exit", onExit);
  return {
    dir,
    setup,
    ctx: ledgerContext(setup.manifestBytes),
    cluster,
    urls: cluster.urls,
    ...ports,
    async close() {
      await cluster.stopAll();
      process.off("exit", onExit);
      if (process.env.SAYLAU_E2E_KEEP) process.stderr.write(`e2e data kept in ${root}\n`);
      else rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The last lines of every validator's log: attached to timeouts so a failure explains itself. */
export function logTails(dir: string, lines = 8): string {
  return [0, 1, 2, 3]
    .map((i) => {
      const path = join(dir, "validators", String(i), "node.log");
      const text = existsSync(path) ? readFileSync(path, "utf8").trimEnd().split("\n") : [];
      return `--- validator ${i} node.log\n${text.slice(-lines).join("\n")}`;
    })
    .join("\n");
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  state: () => Promise<string> = async () => "",
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    try {
      if (await check()) return;
      lastError = "";
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > end) {
      const seen = await state().catch((err: Error) => `(state unavailable: ${err.message})`);
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${lastError})` : ""}\n${seen}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function status(url: string): Promise<StatusView> {
  return apiRequest<StatusView>(url, "/v1/status");
}

export async function statuses(urls: readonly string[]): Promise<StatusView[]> {
  return Promise.all(urls.map(status));
}

/** One line per node: what a timeout message shows. */
export async function describeNodes(urls: readonly string[]): Promise<string> {
  const lines = await Promise.all(
    urls.map(async (u) => {
      try {
        const s = await status(u);
        return `${u}: height ${s.height} head ${s.headHash.slice(0, 12)} view ${s.view} phase ${s.phase} mempool ${s.mempool} peers [${s.peers.join(",")}] syncing ${s.syncing}`;
      } catch (err) {
        return `${u}: ${(err as Error).message}`;
      }
    }),
  );
  return lines.join("\n");
}

/** Every block hash from genesis to `height` as `url` serves them (GET /v1/blocks, paged). */
export async function blockHashes(url: string, height: number): Promise<string[]> {
  const out: string[] = [];
  let from: number | null = 0;
  while (from !== null && from <= height) {
    const page: { blocks: BlockView[]; next: number | null } = await apiRequest(
      url,
      `/v1/blocks?from=${from}&limit=100`,
    );
    for (const b of page.blocks) if (b.height <= height) out.push(b.hash);
    from = page.next;
  }
  return out;
}

/**
 * Waits until every node in `urls` reports the same head at the same height (at least
 * `minHeight`), then checks that they hold the same block hash at every height from
 * genesis. Returns that common height.
 */
export async function expectSameChain(
  urls: readonly string[],
  minHeight: number,
  timeoutMs: number,
  diagnostics: () => string = () => "",
): Promise<number> {
  // The statuses that agreed are the ones checked below: reading them again could catch a
  // validator that has committed one more block since, and blocks already decided never change.
  let s: StatusView[] = [];
  await waitFor(
    `validators ${urls.join(" ")} to agree on one head at height >= ${minHeight}`,
    async () => {
      const now = await statuses(urls);
      const agree =
        now[0]!.height >= minHeight &&
        now.every((x) => x.height === now[0]!.height && x.headHash === now[0]!.headHash);
      if (agree) s = now;
      return agree;
    },
    timeoutMs,
    async () => `${await describeNodes(urls)}\n${diagnostics()}`,
  );
  const height = s[0]!.height;
  const chains = await Promise.all(urls.map((u) => blockHashes(u, height)));
  for (const [i, chain] of chains.entries()) {
    if (chain.length !== height + 1) {
      throw new Error(`${urls[i]} served ${chain.length} blocks for heights 0..${height}`);
    }
    for (let h = 0; h <= height; h++) {
      if (chain[h] !== chains[0]![h]) {
        throw new Error(
          `${urls[i]} has block ${chain[h]} at height ${h}, ${urls[0]} has ${chains[0]![h]}`,
        );
      }
    }
    if (chain[height] !== s[i]!.headHash) {
      throw new Error(`${urls[i]}: block at ${height} is not its reported head`);
    }
  }
  return height;
}

/**
 * Has the commission approve the manifest through `url`, then registers every credential,
 * and waits until each of `live` has committed both. The schedule is open from before now,
 * so the polls are open from the approval on (a ballot sent to a validator that has not yet
 * applied the approval is refused with ledger/not_approved).
 */
export async function registerAndOpen(
  e: E2eElection,
  url: string,
  live: readonly string[] = e.urls,
  timeoutMs = 60_000,
) {
  const { setup } = e;
  const approve = await apiRequest<SubmitResult>(url, "/v1/transactions", {
    tx: toHex(approvalTx(setup)),
  });
  await waitCommitted([url], [approve.id], timeoutMs, () => describeNodes(e.urls));
  const regs: SubmitResult[] = [];
  for (const tx of registrationTxs(setup)) {
    regs.push(await apiRequest<SubmitResult>(url, "/v1/transactions", { tx: toHex(tx) }));
  }
  await waitCommitted(live, [approve.id, ...regs.map((r) => r.id)], timeoutMs, () =>
    describeNodes(e.urls),
  );
}

/** Encrypted ballots, each for option `voter % 3`; `seq` > 1 is a revote. */
export function makeBallots(
  e: E2eElection,
  voters: readonly number[],
  seq = 1,
): { voter: number; tx: Uint8Array }[] {
  return voters.map((voter) => ({
    voter,
    tx: ballotTx(
      e.ctx,
      e.setup.voters[voter] as Ed25519KeyPair,
      e.setup.voterDistricts[voter]!,
      [E2E_CONTEST.options.map((_, j) => (j === (voter + seq) % 3 ? 1 : 0))],
      seq,
    ),
  }));
}

/** POST /v1/ballots; resolves with the 202 body, or rejects with the API's error. */
export function submitBallot(url: string, tx: Uint8Array): Promise<SubmitResult> {
  return apiRequest<SubmitResult>(url, "/v1/ballots", { tx: toHex(tx) });
}

/** Waits until every id is committed on every node in `urls`. */
export async function waitCommitted(
  urls: readonly string[],
  ids: readonly string[],
  timeoutMs: number,
  state: () => Promise<string> = async () => "",
): Promise<void> {
  const remaining = new Set(urls.flatMap((u) => ids.map((id) => `${u} ${id}`)));
  await waitFor(
    `${ids.length} transactions to be committed on ${urls.length} validators`,
    async () => {
      for (const key of [...remaining]) {
        const [u, id] = key.split(" ") as [string, string];
        const s = await apiRequest<TxStatusView>(u, `/v1/transactions/${id}`).catch(() => null);
        if (s?.status === "committed") remaining.delete(key);
      }
      return remaining.size === 0;
    },
    timeoutMs,
    async () => `${remaining.size} (node, tx) pairs not committed\n${await state()}`,
  );
}

/** Sum of every series of a Prometheus metric whose labels include `labels`. */
export async function metricValue(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const res = await fetch(new URL("/metrics", url), { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const labelText = m[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) {
      sum += Number(m[3]);
    }
  }
  return sum;
}
