import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditRecord } from "../../../src/audit/audit.ts";
import { AuditFailure, RecordSourceError } from "../../../src/audit/errors.ts";
import { NodeSource, type RecordSource } from "../../../src/audit/source.ts";
import { runAudit } from "../../../src/cli/commands/audit.ts";
import { runExport } from "../../../src/cli/commands/export.ts";
import { toHex } from "../../../src/crypto/bytes.ts";
import { ballotTx, decryptionTx } from "../../../src/ledger/tx-builders.ts";
import type { ValidatorNode } from "../../../src/node/validator-node.ts";
import { electionDirectory, startNode, until } from "../../support/cluster.ts";
import { approvalTx, FIXTURE_CREATED_AT, registrationTxs } from "../../support/election-fixture.ts";
import { signedEvidence } from "../../support/evidence.ts";

let env: Awaited<ReturnType<typeof electionDirectory>>;
let nodes: ValidatorNode[] = [];
let work: string;

async function submit(node: ValidatorNode, tx: Uint8Array): Promise<void> {
  const res = await node.api.inject({
    method: "POST",
    url: "/v1/transactions",
    payload: { tx: toHex(tx) },
  });
  expect(res.statusCode, res.body).toBe(202);
}

/** Runs a CLI command, capturing what it writes. */
async function cli(run: (args: string[]) => Promise<number>, args: string[]) {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await run(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * The polls close at CLOSES_AT by block time. The validators run in this process, so the
 * test moves their clock past it (Date.now, which block times come from) once the ballots
 * are in, instead of waiting for it.
 */
const CLOSES_AT = FIXTURE_CREATED_AT + 365 * 24 * 3600 * 1000 * 4;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "saylau-audit-node-"));
  env = await electionDirectory({
    voters: 3,
    schedule: { opensAt: FIXTURE_CREATED_AT, closesAt: CLOSES_AT, timeZone: "Asia/Almaty" },
  });
  nodes = await Promise.all([0, 1, 2, 3].map((i) => startNode(env.dir, i, env.ports, 4)));
  const { setup, ctx } = env;
  const all = (what: string, f: (n: ValidatorNode) => boolean) => until(what, () => nodes.every(f));
  await submit(nodes[0]!, approvalTx(setup));
  await all("approval", (n) => n.replica.tip.state.phase === "open");
  for (const tx of registrationTxs(setup)) await submit(nodes[1]!, tx);
  await all("registration", (n) => n.replica.tip.state.credentials === 3);
  for (const [i, v] of setup.voters.entries()) {
    await submit(
      nodes[i % 4]!,
      ballotTx(ctx, v, 0, [[1, 0, 0].map((_, j) => (j === i % 3 ? 1 : 0)), [1, 0, 0, 0]], 1),
    );
  }
  await all("ballots", (n) => n.replica.tip.state.ballots === 3);
  const realNow = Date.now.bind(Date);
  const offset = CLOSES_AT - realNow() + 1000;
  vi.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
  const tally = nodes[0]!.replica.tip.state.districts[0]!.tally;
  await submit(nodes[3]!, decryptionTx(ctx, setup.trustees[0]!, 0, tally));
  await submit(nodes[3]!, decryptionTx(ctx, setup.trustees[2]!, 0, tally));
  await all("result", (n) => n.replica.tip.state.districts[0]!.result !== null);
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  vi.restoreAllMocks();
  env?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe("auditing live validators over HTTP", () => {
  it("audits a node, exports it, and audits the export to the same head and result", async () => {
    // Validator 2 equivocated twice (detected by validator 1, which passes it on).
    const { setup } = env;
    const proofs = [3, 4].map((height) =>
      signedEvidence(setup.validators[2]!.seed, setup.electionId, 2, {
        height,
        view: 0,
        phase: "commit",
      }),
    );
    for (const p of proofs) await nodes[1]!.evidence.detected(p.bytes);
    const url = nodes[1]!.httpUrl;
    const live = await auditRecord(new NodeSource(url), { workers: 2 });
    expect(live.evidence).toEqual({
      items: 2,
      accused: [{ validator: 2, name: setup.manifest.validators[2]!.name, items: 2 }],
    });
    expect(live.head.hash).toBe(toHex(nodes[1]!.replica.tip.hash));
    expect(live.ballotsVerified).toBe(3);
    expect(live.results.complete).toBe(true);
    expect(live.results.contests.map((c) => c.total)).toEqual([
      [1, 1, 1],
      [3, 0, 0, 0],
    ]);
    expect(live.consistency).not.toBeNull();

    const out = join(work, "export");
    const exported = await cli(runExport, ["--node", url, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    const again = await cli(runExport, ["--node", url, "--out", out]);
    expect(again.code).toBe(2);

    const audited = await cli(runAudit, ["--dir", out]);
    expect(audited.code, audited.stderr).toBe(0);
    expect(audited.stdout).toContain("AUDIT OK");
    expect(audited.stdout).toMatch(/Mayor \(national[^\n]*\n\s+Aigerim\s+Bauyrzhan\s+Dana\n/);
    expect(audited.stdout).toMatch(/district D1\s+1\s+1\s+1\n/);
    expect(audited.stdout).toMatch(/region\s+credentials\s*\nR1\s+3\n/);
    const json = await cli(runAudit, ["--dir", out, "--json", "--workers", "0"]);
    const report = JSON.parse(json.stdout) as { ok: boolean; head: { hash: string } };
    expect(report).toMatchObject({
      ok: true,
      head: { hash: live.head.hash },
      evidence: live.evidence,
    });
  });

  it("checks an RFC 9162 consistency proof from the head seen at the start", async () => {
    const node = new NodeSource(nodes[0]!.httpUrl);
    // As if the audit had started when the node was at the block that opened the polls: the
    // node's proof from that log size to its head must match the replay's own roots.
    const early = await node.head();
    const openHeight = 2;
    expect(early.height).toBeGreaterThan(openHeight);
    let first = true;
    const startedEarly = (consistency: NonNullable<RecordSource["consistency"]>): RecordSource => ({
      description: node.description,
      manifest: () => node.manifest(),
      results: () => node.results(),
      ceremony: () => node.ceremony(),
      entries: () => node.entries(),
      evidence: () => node.evidence(),
      head: async () => {
        if (!first) return node.head();
        first = false;
        return { height: openHeight, logSize: 2 };
      },
      consistency,
    });
    const report = await auditRecord(
      startedEarly((a, b) => node.consistency(a, b)),
      { workers: 0 },
    );
    expect(report.consistency).toMatchObject({ fromSize: 2, toSize: early.logSize! });
    expect(report.consistency!.proofLength).toBeGreaterThan(0);

    first = true;
    const lying = startedEarly(async (a, b) => {
      const answer = await node.consistency(a, b);
      const proof = answer.proof.map((p) => Uint8Array.from(p));
      proof[0]![0]! ^= 1;
      return { ...answer, proof };
    });
    await expect(auditRecord(lying, { workers: 0 })).rejects.toMatchObject({
      code: "audit/inconsistent",
      height: early.height,
    });
  });

  it("a node that reports a higher head than it serves is caught as truncated", async () => {
    const node = new NodeSource(nodes[0]!.httpUrl);
    const head = await node.head();
    const source: RecordSource = {
      description: "lying",
      manifest: () => node.manifest(),
      results: () => node.results(),
      ceremony: () => node.ceremony(),
      head: async () => ({ height: head.height + 5, logSize: head.logSize }),
      entries: () => node.entries(),
      evidence: () => node.evidence(),
      consistency: (a, b) => node.consistency(a, b),
    };
    const err = await auditRecord(source, { workers: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditFailure);
    expect(err).toMatchObject({ code: "audit/truncated", height: head.height + 1 });
  });
});

describe("unreadable nodes are typed source errors, exit code 3", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith("/v1/election")) {
        res.writeHead(200, { "content-type": "application/json" }).end("{not json");
      } else if (req.url?.startsWith("/v1/status")) {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ height: "x" }));
      } else {
        res
          .writeHead(500, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { code: "store/corrupt", message: "disk on fire" } }));
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("names each failure", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));

    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: unknown) => (e instanceof RecordSourceError ? e.code : `untyped: ${String(e)}`),
      );
    const node = new NodeSource(base);
    expect(await codeOf(node.manifest())).toBe("audit/malformed_response");
    expect(await codeOf(node.head())).toBe("audit/malformed_response");
    expect(await codeOf(node.results())).toBe("audit/http_status");
    await expect(node.results()).rejects.toThrow(/HTTP 500 \(store\/corrupt: disk on fire\)/);
    expect(await codeOf(new NodeSource(`http://127.0.0.1:${deadPort}`).manifest())).toBe(
      "audit/unreachable",
    );
    expect(() => new NodeSource("ftp://x")).toThrow(RecordSourceError);

    const cliRun = await cli(runAudit, ["--node", `http://127.0.0.1:${deadPort}`]);
    expect(cliRun.code).toBe(3);
    expect(cliRun.stderr).toContain("audit/unreachable");
    expect((await cli(runAudit, ["--node", base])).code).toBe(3);
    expect((await cli(runAudit, [])).code).toBe(2);
    expect((await cli(runAudit, ["--node", base, "--dir", "x"])).code).toBe(2);
    expect((await cli(runAudit, ["--bogus"])).code).toBe(2);
    expect((await cli(runAudit, ["--dir", join(work, "none")])).code).toBe(3);
    expect((await cli(runExport, ["--node", base])).code).toBe(2);
    const help = await cli(runAudit, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("saylau audit --node URL | --dir EXPORT_DIR");
  });
});

describe("evidence pages from a node", () => {
  const id = (k: number) => k.toString(16).padStart(64, "0");
  const item = (k: number) => ({ id: id(k), evidence: "a0" });
  let pages: Record<string, unknown>;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const after = new URL(req.url ?? "/", "http://x").searchParams.get("after") ?? "first";
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify(pages[after] ?? { evidence: [], next: null }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const read = async () => {
    const ids: string[] = [];
    for await (const e of new NodeSource(base).evidence()) ids.push(toHex(e.id));
    return ids;
  };

  it("follows next until null", async () => {
    pages = {
      first: { evidence: [item(1), item(2)], next: id(2) },
      [id(2)]: { evidence: [item(3)], next: null },
    };
    expect(await read()).toEqual([id(1), id(2), id(3)]);
  });

  it("refuses a next that does not move forward, so a node cannot keep it paging", async () => {
    pages = {
      first: { evidence: [item(5)], next: id(5) },
      [id(5)]: { evidence: [item(4)], next: id(4) },
    };
    await expect(read()).rejects.toMatchObject({ code: "audit/malformed_response" });
  });
});
